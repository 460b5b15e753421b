"""The vote benchmark: ``make bench``.

Starts gunicorn (gthread workers, kept-alive HTTP connections, persistent database connections),
a Celery worker and beat on PostgreSQL + Redis — a database, Redis db, queue and key prefix of
its own — drives votes from many concurrent clients over loopback, and prints:

  a. votes/s through the vote endpoint ÷ requests/s of GET /health/ on the same server;
  b. 64 clients voting on one hot comment, coalesced tally vs. the baseline that increments the
     counters in the request (bench/baseline_counters.py): throughput and p99 latency ratios;
  c. tally lag from a vote's answer to its count being visible: p50 and p99;
  d. counter writes ÷ votes on the hot comment;
  e. drift after the run: comments whose counters differ from their vote rows.

Phases, in order, with worker and beat running: GET /health/; votes spread over many comments
(with lag probes); all clients on one hot comment (with a lag probe and a log of the counter
writes). Then worker and beat stop and the baseline runs on its own gunicorn: all clients on
another hot comment. Then worker and beat start again for a reconciliation and the drift check.
Last, the embedded default (bench/embedded.py): `make run`'s stack on SQLite without Redis, 2,000
votes from 50 readers in 15 s, and how soon after the last vote every count is exact (target 5 s).
About 2-3 minutes; options (python bench/run.py --help, or make bench BENCH_ARGS="...") change
the sizes. Other work on the machine shows in each phase's CPU line and is flagged in the report.
"""

import argparse
import os
import platform
import re
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import embedded, harness, live, load, page, scale, servers, viral, vote_cost  # noqa: E402
from bench.harness import (  # noqa: E402
    ADMIN_URL,
    Bench,
    Cpu,
    CpuMeter,
    add_database_options,
    phase,
    run_async,
    stop_on_signal,
)

# Figure a's target (issue 12): a vote costs at most four /health/ requests over HTTP. It was 0.5,
# which a vote that writes to PostgreSQL cannot reach against a view that does nothing.
VOTES_OVER_HEALTH_TARGET = 0.25


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64, help="concurrent voters (and health clients)")
    parser.add_argument(
        "--workers", type=int, default=servers.DEFAULT_WORKERS, help="gunicorn worker processes (gunicorn.conf.py's)"
    )
    parser.add_argument(
        "--threads", type=int, default=servers.DEFAULT_THREADS, help="threads per gunicorn worker (gunicorn.conf.py's)"
    )
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20, help="length of each vote phase")
    parser.add_argument("--health-seconds", type=float, default=12)
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured load before each server's first phase")
    parser.add_argument("--comments", type=int, default=1000, help="comments the spread phase votes on")
    parser.add_argument("--probers", type=int, default=4, help="lag probes during the spread phase")
    parser.add_argument("--endpoint", choices=["auto", "page", "api"], default="auto")
    parser.add_argument(
        "--cpu-votes", type=int, default=2000, help="votes timed in process for the CPU-per-vote figure (0: skip)"
    )
    parser.add_argument("--article-clients", type=int, default=32, help="concurrent readers of the article page")
    parser.add_argument("--article-seconds", type=float, default=10, help="length of each article-page phase")
    add_database_options(parser)
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {harness.DB_NAME} database afterwards")
    # The reading and scale phases (bench/scale.py), after the vote phases.
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1")),
        help="size of the article at scale: 1 = 100,000 comments and 1,000,000 votes (env BENCH_SCALE)",
    )
    parser.add_argument("--skip-votes", action="store_true", help="only the reading and scale phases")
    parser.add_argument("--skip-scale", action="store_true", help="only the vote phases")
    parser.add_argument("--skip-live", action="store_true", help="no live-counts phase")
    parser.add_argument(
        "--skip-embedded", action="store_true", help="no phase on the embedded default (SQLite, no Redis)"
    )
    parser.add_argument("--skip-viral", action="store_true", help="no viral phase (make cluster's topology)")
    parser.add_argument(
        "--only",
        choices=["votes", "scale", "live", "embedded", "viral"],
        help="run this phase alone (votes includes the article page)",
    )
    parser.add_argument("--viral-seconds", type=float, default=60, help="length of each viral run")
    parser.add_argument(
        "--viral-front-only", action="store_true", help="the viral phase through the front only, not also straight"
    )
    parser.add_argument("--live-pages", type=int, default=2000, help="open pages polling the live counts")
    parser.add_argument("--live-seconds", type=float, default=20, help="length of the live-counts phase")
    parser.add_argument("--page-clients", type=int, default=4, help="clients for page 1 vs the deep page")
    parser.add_argument("--page-seconds", type=float, default=10)
    parser.add_argument("--in-process-requests", type=int, default=200)
    args = parser.parse_args()
    if args.only:
        for name in ("votes", "scale", "live", "embedded", "viral"):
            setattr(args, f"skip_{name}", name != args.only)
        if args.only != "votes":
            args.cpu_votes = 0
    return args


def machine_description() -> str:
    memory_kib = int(
        next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")).split()[1]
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    return f"{os.cpu_count()} CPUs (nproc; {model}), {memory_kib / 1024**2:.1f} GiB RAM"


def service_versions() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync_commit = cursor.fetchone()[0]
    from infra.redis_clients import forum_redis

    redis_version = forum_redis().info("server")["redis_version"]
    return (
        f"PostgreSQL {postgres} (synchronous_commit={sync_commit}), Redis {redis_version}, "
        f"Python {platform.python_version()}"
    )


def machine_busy_fraction(seconds: float) -> float:
    busy_before, total_before = servers.machine_cpu_busy_seconds()
    time.sleep(seconds)
    busy_after, total_after = servers.machine_cpu_busy_seconds()
    return (busy_after - busy_before) / (total_after - total_before)


TASK_LINE = re.compile(r"Task votes\.tasks\.(\w+)\[[^\]]+\] succeeded in ([0-9.]+)s")


def task_summary(worker_log: str) -> list[str]:
    """How many tasks of each kind the worker ran, and how long they took (from its INFO log)."""
    runs: dict[str, list[float]] = {}
    for name, seconds in TASK_LINE.findall(worker_log):
        runs.setdefault(name, []).append(float(seconds))
    return [
        f"{name}: {len(times)} runs, {sum(times):.1f} s in all, p50 {load.percentile(times, 0.5) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms"
        for name, times in sorted(runs.items())
    ]


@dataclass
class Figures:
    health: load.PhaseResult
    votes: load.PhaseResult
    coalesced: load.PhaseResult
    baseline: load.PhaseResult
    cpu: dict[str, Cpu]
    quiet_lag: load.LagSamples
    hot_lag: load.LagSamples
    hot_writes: int
    hot_votes: int
    drift_at_idle: int
    drift: int
    stale_scores: int
    comments: int
    vote_rows: int
    settle_seconds: tuple[float, float]
    reconcile_wait: float | None
    corrections: list[str]
    tasks: list[str]
    pages: list[str]
    vote_cpu: vote_cost.VoteCost | None = None


class VoteBench(Bench):
    """The vote run: the common Bench, plus the article page's seed and the vote phases."""

    def prepare(self) -> None:
        from bench import measure

        super().prepare()
        self.page_seed = measure.seed_page()
        self.threaded_page_seed = measure.seed_page(replies=2000)  # 200 threads, 3 replies shown each

    def measure(self) -> Figures:
        from django.conf import settings
        from django.utils import timezone

        from bench import measure

        args, seed = self.args, self.seed
        spread_ids = seed.spread_comment_ids

        def spread(rng) -> int:
            return spread_ids[rng.randrange(len(spread_ids))]

        def hot(rng) -> int:
            return seed.hot_comment_id

        def baseline_hot(rng) -> int:
            return seed.baseline_hot_comment_id

        cpu: dict[str, Cpu] = {}
        print("Coalesced tally: the vote row is written in the request, Celery derives the counters", flush=True)
        celery = self.start_celery()
        gunicorn = self.start_gunicorn("coalesced")
        meter = CpuMeter(gunicorn, celery)
        run_async(load.run_health(base_url=self.base_url, clients=args.clients, seconds=args.warmup / 2, name="warm"))
        run_async(self.votes_on(spread, args.warmup / 2, "warm-up"))

        health, cpu["health"] = phase(
            meter,
            load.run_health(
                base_url=self.base_url,
                clients=args.clients,
                seconds=args.health_seconds,
                name=f"GET /health/, {args.clients} clients",
            ),
        )

        quiet_lag = load.LagSamples("quiet comment (its counts equal the probe's own vote)")
        probes = [
            load.quiet_comment_prober(
                endpoint=self.endpoint, base_url=self.base_url, voter=voter, comment_id=comment_id, samples=quiet_lag
            )
            for voter, comment_id in zip(self.quiet_probers, seed.probe_comment_ids, strict=True)
        ]
        votes, cpu["votes"] = phase(
            meter,
            self.votes_on(
                spread,
                args.seconds,
                f"votes over {len(spread_ids):,} comments, {args.clients} clients (+{len(probes)} lag probes)",
                extra=probes,
            ),
        )
        settle_spread = measure.wait_for_tally(spread_ids + seed.probe_comment_ids)

        # Counter writes are logged from here until the hot comment's tally has settled.
        measure.start_counting_writes(seed.hot_comment_id)
        hot_lag = load.LagSamples("hot comment (its tallied_at passes the moment the answer arrived)")
        hot_probe = load.hot_comment_prober(
            endpoint=self.endpoint,
            base_url=self.base_url,
            voter=self.hot_prober,
            comment_id=seed.hot_comment_id,
            samples=hot_lag,
        )
        coalesced, cpu["coalesced hot"] = phase(
            meter,
            self.votes_on(
                hot, args.seconds, f"coalesced: {args.clients} clients on one hot comment (+1 lag probe)", [hot_probe]
            ),
        )
        settle_hot = measure.wait_for_tally([seed.hot_comment_id])
        hot_writes = measure.stop_counting_writes(seed.hot_comment_id)
        print("Article page: 200 comments shown, signed out and signed in (bench/page.py)", flush=True)
        page_lines = page.page_phase(
            self,
            seed=self.page_seed,
            clients=args.article_clients,
            seconds=args.article_seconds,
            threaded=self.threaded_page_seed,
        )
        hot_votes = coalesced.ok + len(hot_lag.lags_ms)
        drift_at_idle = len(measure.drifted_comments())
        print(
            f"  tally settled {settle_spread:.2f} s after the spread phase, {settle_hot:.2f} s after the hot phase",
            flush=True,
        )
        self.stop(gunicorn)
        for server in celery:
            self.stop(server)

        print(
            "Baseline: counters incremented in the request with F() + 1 (bench/baseline_counters.py, no Celery)",
            flush=True,
        )
        gunicorn = self.start_gunicorn("baseline", VOTES_COUNTER_BACKEND="bench.baseline_counters.CountInRequest")
        meter = CpuMeter(gunicorn, [])
        run_async(self.votes_on(baseline_hot, args.warmup, "warm-up"))
        baseline, cpu["baseline hot"] = phase(
            meter, self.votes_on(baseline_hot, args.seconds, f"baseline: {args.clients} clients on one hot comment")
        )
        self.stop(gunicorn)

        print("After the run: reconciliation, then drift", flush=True)
        votes_done = timezone.now()
        self.start_celery()
        reconcile_wait = measure.wait_for_reconciliation(
            votes_done, timeout=min(settings.RECONCILE_SECONDS * 3 + 10, 60)
        )
        measure.wait_for_tally([])
        figures = Figures(
            health=health,
            votes=votes,
            coalesced=coalesced,
            baseline=baseline,
            cpu=cpu,
            quiet_lag=quiet_lag,
            hot_lag=hot_lag,
            hot_writes=hot_writes,
            hot_votes=hot_votes,
            drift_at_idle=drift_at_idle,
            drift=len(measure.drifted_comments()),
            stale_scores=measure.comments_with_stale_scores(),
            comments=measure.comment_count(),
            vote_rows=measure.vote_rows(),
            settle_seconds=(settle_spread, settle_hot),
            reconcile_wait=reconcile_wait,
            corrections=[],
            tasks=[],
            pages=page_lines,
        )
        self.stop_all()
        figures.corrections = [
            line.strip() for line in self.worker_log.splitlines() if "Reconciliation corrected" in line
        ]
        figures.tasks = task_summary(self.worker_log)
        return figures


def measure_vote_cpu(bench: Bench) -> vote_cost.VoteCost | None:
    """The in-process CPU figure (bench/vote_cost.py): API votes through Django's test client in
    this process, before any server starts, on the seeded comments with the seeded voters' tokens.
    No worker runs yet; the tally rounds these votes schedule wait in the queue for the first phase."""
    if not bench.args.cpu_votes:
        return None
    from bench import measure

    print(f"In process: {bench.args.cpu_votes} API votes and GET /health/ through Django's test client", flush=True)
    busy_before, total_before = servers.machine_cpu_busy_seconds()
    tokens = [measure.token_headers(user)["Authorization"].removeprefix("Token ") for user in bench.seed.voters]
    cost = vote_cost.measure_vote_cost(
        voter_tokens=tokens, comment_ids=bench.seed.spread_comment_ids, votes=bench.args.cpu_votes
    )
    busy_after, total_after = servers.machine_cpu_busy_seconds()
    cost.machine_busy = (busy_after - busy_before) / max(total_after - total_before, 1e-9)
    print(
        f"  vote {cost.vote_ms:.2f} ms CPU, /health/ {cost.health_ms:.3f} ms CPU; machine "
        f"{cost.machine_busy:.0%} busy meanwhile (this process uses at most one core)",
        flush=True,
    )
    return cost


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def report(figures: Figures, *, header: list[str]) -> None:
    f = figures
    lags = f.quiet_lag.lags_ms + f.hot_lag.lags_ms
    table = Report()
    table.row(
        "a",
        "votes/s ÷ GET /health/ req/s",
        ratio(f.votes.rate, f.health.rate),
        f"{ratio(f.votes.rate, f.health.rate):.2f}  ({f.votes.rate:,.0f} / {f.health.rate:,.0f})",
        f">= {VOTES_OVER_HEALTH_TARGET}",
        lambda v: v >= VOTES_OVER_HEALTH_TARGET,
    )
    if f.vote_cpu is not None:
        for key, what, value, shown, target, met in vote_cost.describe(f.vote_cpu):
            table.row(key, what, value, shown, target, lambda _v, met=met: met)
    table.row(
        "b",
        "hot comment: votes/s, coalesced ÷ baseline",
        ratio(f.coalesced.rate, f.baseline.rate),
        f"{ratio(f.coalesced.rate, f.baseline.rate):.2f}x  ({f.coalesced.rate:,.0f} / {f.baseline.rate:,.0f})",
        ">= 3x",
        lambda v: v >= 3,
    )
    base_p99, hot_p99 = (load.percentile(r.latencies_ms, 0.99) for r in (f.baseline, f.coalesced))
    table.row(
        "b",
        "hot comment: p99 latency, baseline ÷ coalesced",
        ratio(base_p99, hot_p99),
        f"{ratio(base_p99, hot_p99):.2f}x  ({base_p99:,.0f} ms / {hot_p99:,.0f} ms)",
        ">= 3x",
        lambda v: v >= 3,
    )
    p50, p99 = load.percentile(lags, 0.5), load.percentile(lags, 0.99)
    table.row("c", f"tally lag p50 ({len(lags)} samples)", p50, f"{p50:,.0f} ms", "<= 300 ms", lambda v: v <= 300)
    table.row("c", "tally lag p99", p99, f"{p99:,.0f} ms", "<= 1,000 ms", lambda v: v <= 1000)
    writes_per_vote = f.hot_writes / max(f.hot_votes, 1)
    table.row(
        "d",
        "counter writes ÷ votes, hot comment",
        writes_per_vote,
        f"1/{f.hot_votes / max(f.hot_writes, 1):,.0f}  ({f.hot_writes} / {f.hot_votes:,})",
        "<= 1/50",
        lambda v: v <= 1 / 50,
    )
    table.row("e", "drift after the run (comments)", f.drift, f"{f.drift} of {f.comments:,}", "0", lambda v: v == 0)

    print()
    print("Results")
    for line in header:
        print(f"  {line}")
    print()
    table.print()
    print()
    print("Article page (its own /health/ phase, same server; Celery running, tally settled; CPU lines say what ran)")
    for line in f.pages:
        print(f"  {line}")
    print()
    print("How each figure was measured")
    print("  a, b: closed-loop clients; a rate counts answers (HTTP 200) within the window, latency is client-side")
    print("        from send to full answer. Baseline and coalesced run on the same gunicorn settings; the")
    print("        coalesced hot phase also carries 1 lag probe, which only counts against it.")
    print(
        f"  c: probes vote, then poll GET /comments/<id>/counts/ every {load.POLL_INTERVAL * 1000:.0f} ms "
        "(the resolution) until the vote shows:"
    )
    for lag in (f.quiet_lag, f.hot_lag):
        print(
            f"     {lag.method}: {len(lag.lags_ms)} samples, p50 {load.percentile(lag.lags_ms, 0.5):,.0f} ms, "
            f"p90 {load.percentile(lag.lags_ms, 0.9):,.0f} ms, p99 {load.percentile(lag.lags_ms, 0.99):,.0f} ms, "
            f"max {max(lag.lags_ms, default=float('nan')):,.0f} ms, not seen within {load.LAG_TIMEOUT:.0f} s: "
            f"{lag.timeouts}"
        )
        print(
            f"       of which the tally (its tallied_at minus the answer's arrival, one clock): "
            f"p50 {load.percentile(lag.tally_ms, 0.5):,.0f} ms, p99 {load.percentile(lag.tally_ms, 0.99):,.0f} ms"
        )
    if f.vote_cpu is not None:
        cpu = f.vote_cpu
        print(f"  a': bench/vote_cost.py, in the bench process before the servers start: {cpu.votes} API PUTs")
        print("      (a token, JSON) through Django's test client; process CPU time per request, so waits on")
        print(f"      PostgreSQL, Redis do not count; /health/ likewise. Machine {cpu.machine_busy:.0%} busy.")
    print("  d: a row trigger logged every UPDATE of the hot comment's row, from the phase's start until its tally")
    print(f"     settled ({f.settle_seconds[1]:.2f} s after the phase); votes = answered votes on it.")
    waited = (
        f"{f.reconcile_wait:.1f} s wait" if f.reconcile_wait is not None else "NONE FINISHED within the wait: no repair"
    )
    print("  e: six stored counts vs. a fresh SQL count of the vote rows, for every comment, after a reconciliation")
    print(f"     that started after the last vote ({waited}). Before it, when the tally had gone")
    print(
        f"     idle after the hot phase: {f.drift_at_idle}. Sort scores differing from counters_from_votes after it: "
        f"{f.stale_scores}. Vote rows: {f.vote_rows:,}."
    )
    print()
    print("Where the time went")
    for name, result in (
        ("health", f.health),
        ("votes", f.votes),
        ("coalesced hot", f.coalesced),
        ("baseline hot", f.baseline),
    ):
        print(
            f"  {result.name}: {result.rate:,.0f}/s, latency p50 {load.percentile(result.latencies_ms, 0.5):,.1f} ms, "
            f"p99 {load.percentile(result.latencies_ms, 0.99):,.1f} ms"
            + (f", failures {result.failures}" if result.failures else "")
        )
        print(f"    CPU: {f.cpu[name].describe()}")
    noisy = [name for name, cpu in f.cpu.items() if cpu.others_cores > 0.25]
    if noisy:
        print(
            f"  NOTE: other work on the machine used more than a quarter core during: {', '.join(noisy)};"
            " those figures are lower than on a quiet machine."
        )
    for line in f.tasks:
        print(f"  Celery {line}")
    print(
        f"  reconciliation runs that corrected counters: {len(f.corrections)}"
        + "".join(f"\n    {line[:150]}" for line in f.corrections[:6])
    )


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, bool]] = []

    def row(self, key: str, what: str, value: float, shown: str, target: str, meets) -> None:
        self.rows.append((key, what, shown, target, bool(meets(value))))

    def print(self) -> None:
        header = ("", "figure", "measured", "target")
        widths = [max(len(h), *(len(row[i]) for row in self.rows)) for i, h in enumerate(header)]
        line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  result"
        print(line)
        print("-" * len(line))
        for key, what, shown, target, met in self.rows:
            cells = (key, what, shown, target)
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + ("  met" if met else "  MISSED"))


def main() -> int:
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    args = parse_args()
    harness.use_database(args)
    bench = VoteBench(args)
    os.environ.update(bench.env)
    import django

    django.setup()
    from django.conf import settings

    from bench import measure

    started = time.monotonic()
    live_lines = embedded_lines = viral_lines = None
    header: list[str] = []
    print(f"Vote benchmark; logs in {bench.run_dir}", flush=True)
    machine = machine_description()
    idle_load = machine_busy_fraction(2)
    print(f"Machine: {machine}; {idle_load:.0%} busy with other work just before the run", flush=True)
    print("Setting up: database, migrations, static files, seed data ...", flush=True)
    try:
        if args.only == "viral":  # make cluster migrates the database; the phase seeds its own article
            measure.recreate_database(admin_url=ADMIN_URL, name=harness.DB_NAME)
        else:
            bench.prepare()
        vote_cpu = measure_vote_cpu(bench)
        versions = service_versions()
        server_shape = (
            f"gunicorn {args.workers} workers x {args.threads} threads (gthread, HTTP keep-alive), "
            f"CONN_MAX_AGE={settings.CONN_MAX_AGE}; Celery worker concurrency {args.celery_concurrency} + beat"
        )
        tally = (
            f"TALLY_COALESCE_SECONDS={settings.TALLY_COALESCE_SECONDS}, "
            f"TALLY_SWEEP_SECONDS={settings.TALLY_SWEEP_SECONDS}, RECONCILE_SECONDS={settings.RECONCILE_SECONDS}, "
            f"RECONCILE_GRACE_SECONDS={settings.RECONCILE_GRACE_SECONDS}"
        )
        client = (
            f"one process, asyncio + aiohttp, {args.clients} kept-alive connections, closed loop; it shares the "
            f"{os.cpu_count()} cores with everything else (its share is in the CPU lines)"
        )
        header = [
            f"machine: {machine}; {idle_load:.0%} busy with other work just before the run",
            versions,
            f"server: {server_shape}",
            f"tally: {tally}",
            f"vote endpoint: {bench.endpoint.name}" if hasattr(bench, "endpoint") else "vote endpoint: (no vote phase)",
            f"load client: {client}",
        ]
        for line in header[1:]:
            print(f"  {line}", flush=True)
        figures = None if args.skip_votes else bench.measure()
        if figures is not None:
            figures.vote_cpu = vote_cpu
        scale_figures = (
            None if args.skip_scale else scale.measure(bench, phase=phase, meter_for=lambda g: CpuMeter(g, []))
        )
        if not args.skip_live:
            print("Live counts: open pages polling one article while votes trickle in ...", flush=True)
            bench.start_celery()
            bench.start_gunicorn("live")
            live_lines = live.live_phase(bench, pages=args.live_pages, seconds=args.live_seconds)
            bench.stop_all()
        if not args.skip_embedded:
            print("Embedded default: 50 readers send 2,000 votes in 15 s to `make run`'s stack ...", flush=True)
            embedded_lines = embedded.describe(embedded.embedded_phase(run_dir=bench.run_dir / "embedded"))
            for line in embedded_lines:
                print(f"  {line}", flush=True)
        if not args.skip_viral:
            print(
                f"Viral article: make cluster's topology, every stream at once for {args.viral_seconds:.0f} s, "
                "through the front and straight to the nodes (bench/viral.py) ...",
                flush=True,
            )
            viral_lines = viral.describe(
                viral.viral_phase(
                    database_url=bench.env["DATABASE_URL"],
                    seconds=args.viral_seconds,
                    direct=not args.viral_front_only,
                )
            )
    finally:
        bench.stop_all()
        if not args.keep_db:
            measure.drop_database(admin_url=ADMIN_URL, name=harness.DB_NAME)
    header = [*header, f"run time: {time.monotonic() - started:.0f} s"]
    if figures is not None:
        report(figures, header=header)
    if scale_figures is not None:
        report_scale(scale_figures, header=header if figures is None else [])
    if live_lines is not None:
        print()
        print("Live counts (gunicorn only in the CPU figure; the pollers, the vote trickle and Celery also ran)")
        for line in live_lines:
            print(f"  {line}")
    if embedded_lines is not None:
        print()
        print("Embedded default (`make run`: SQLite, the filesystem broker, no Redis; bench/embedded.py)")
        for line in embedded_lines:
            print(f"  {line}")
    if viral_lines is not None:
        print()
        print(
            "Viral article (bench/viral.py: make cluster's topology on this machine; polls by wrk, the rest by one "
            "asyncio client, open loop; PostgreSQL's CPU is the whole server's, other people's work included)"
        )
        for line in viral_lines:
            print(f"  {line}")
    return 0


def report_scale(figures: scale.ScaleFigures, *, header: list[str]) -> None:
    """The reading and scale figures: their own table, after the vote figures."""
    print()
    print("Reading and scale")
    for line in header:
        print(f"  {line}")
    table = Report()
    scale.report_rows(table, figures, ratio)
    table.print()
    print()
    for line in scale.report_details(figures):
        print(line)
    for name, cpu in figures.cpu.items():
        print(f"  CPU, {name}: {cpu.describe()}")
    noisy = [name for name, cpu in figures.cpu.items() if cpu.others_cores > 0.25]
    if noisy:
        print(
            f"  NOTE: other work on the machine used more than a quarter core during: {', '.join(noisy)};"
            " those figures are lower than on a quiet machine."
        )


if __name__ == "__main__":
    sys.exit(main())
