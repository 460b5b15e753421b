"""The viral article, end to end: ``make bench BENCH_ARGS="--only viral"`` (or ``viral_phase``).

`make cluster`'s topology (deploy/cluster: nginx, two gunicorn nodes, a Celery worker per queue,
beat, PgBouncer, two Redis servers) on ports of its own and the bench's database, under every
stream of a viral article at once, for --viral-seconds (60):

- live polls for 10,000 open pages, each every 3.5 s (≈ 2,860/s), with the ETag it last saw;
- 50 signed-out and 10 signed-in article page views a second (gzip accepted, as browsers do);
- 200 votes a second over 200 comments by 400 readers (API, a token each);
- 10 comments a minute;
- lag probes: a reader votes on a comment of their own choosing and polls the live counts, as
  everyone else sees them, until the vote shows.

Run twice: through the front (nginx), then straight against the two gunicorn nodes, to show
what the front adds. Reported per stream: req/s against its rate, p50, p99, errors; CPU by role;
the lag until a vote shows to others (p50/p99); and the drift once the reconciliation ran.

The load generators: wrk for the polls (bench/viral_polls.lua), because they are nine requests in
ten and a C client with an event loop sends them for a fraction of the CPU an asyncio client
needs on the same two cores (its Lua script spaces them on a schedule, so they arrive at their
rate however fast the answers come); one asyncio + aiohttp process (uvloop) for the rest, which need
state (tokens, each reader's last choice, the lag probes' expected counts) and run open loop at
their rates, so a slow server shows as latency and missed rates, not as fewer requests sent.
"""

import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench import load, servers

ROOT = Path(__file__).resolve().parent.parent
POLLS_SCRIPT = Path(__file__).resolve().parent / "viral_polls.lua"

OPEN_PAGES = 10_000
POLL_SECONDS = 3.5
SIGNED_OUT_PER_SECOND = 50
SIGNED_IN_PER_SECOND = 10
VOTES_PER_SECOND = 200
VOTED_COMMENTS = 200
READERS = 400
COMMENTS_PER_MINUTE = 10
PROBES = 4
# Targets (issue 21).
P99_TARGET_MS = 300
LAG_P99_TARGET_MS = 2000
RATE_SHORTFALL = 0.95  # a stream is "served at its rate" when it got 95 % of it answered
POLL_CONNECTIONS = 200
# Issue 21's live-counts figure: 2,000 open pages following one article while one vote a second
# changes it, at most this much CPU of the front and the app nodes together.
LIVE_PAGES = 2000
LIVE_CORES_TARGET = 0.25
PROGRAMS = {
    "front (nginx)": ["front:nginx"],
    "app (2 gunicorn nodes)": ["app:web1", "app:web2"],
    "tally worker": ["workers:worker-tallies"],
    "other workers + beat": [
        "workers:worker-reconcile",
        "workers:worker-mail",
        "workers:worker-moderation",
        "beat",
    ],
    "PgBouncer": ["pgbouncer"],
    "Redis (broker + cache)": ["broker:redis-broker", "cache:redis-cache"],
}


@dataclass
class Stream:
    name: str
    rate: float  # wanted, per second
    seconds: float
    ok: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    p50_ms: float | None = None  # when the generator gave percentiles rather than samples (wrk)
    p99_ms: float | None = None

    def fail(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1

    @property
    def served_rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, fraction: float) -> float:
        given = self.p50_ms if fraction == 0.5 else self.p99_ms if fraction == 0.99 else None
        return given if given is not None else load.percentile(self.latencies_ms, fraction)


@dataclass
class Run:
    label: str
    seconds: float
    streams: list[Stream]
    lags_ms: list[float]
    lag_timeouts: int
    cpu: dict[str, float]  # cores, by role
    machine_busy: float  # cores


@dataclass
class Seed:
    article_path: str
    article_slug: str
    poll_paths: list[str]
    voted_ids: list[int]
    reader_tokens: list[str]
    signed_in_cookies: list[str]
    probes: list[tuple[str, int]]  # (token, comment id)
    probe_paths: dict[int, str]  # the poll path of the page shape that shows each probe's comment


# --- The cluster ----------------------------------------------------------------------------------


class Cluster:
    """deploy/cluster on free ports, the bench's database and a folder of its own."""

    def __init__(self, database_url: str) -> None:
        # Not under a 0700 temporary folder: PgBouncer (as postgres, when run as root) reads its
        # config here and nginx's workers (www-data) the static files.
        self.dir = Path(tempfile.mkdtemp(prefix="forum-bench-cluster-"))
        self.dir.chmod(0o755)
        ports = [servers.free_port() for _ in range(6)]
        self.front = f"127.0.0.1:{ports[0]}"
        self.nodes = [f"127.0.0.1:{ports[1]}", f"127.0.0.1:{ports[2]}"]
        dropped = ("CLUSTER_", "FORUM_", "DJANGO_", "DATABASE_", "CELERY_", "TALLY_", "RATE_LIMIT_")
        self.env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
        self.env.update(
            CLUSTER_DIR=str(self.dir),
            CLUSTER_DATABASE_URL=database_url,
            FORUM_ADDRESS=self.front,
            CLUSTER_WEB_ADDRESSES=",".join(self.nodes),
            CLUSTER_BROKER_REDIS=f"127.0.0.1:{ports[3]}",
            CLUSTER_CACHE_REDIS=f"127.0.0.1:{ports[4]}",
            CLUSTER_PGBOUNCER=f"127.0.0.1:{ports[5]}",
            CLUSTER_LOAD_DEMO="0",
            # Every client is 127.0.0.1 here: the per-address limits would measure themselves.
            FORUM_MAX_CONNECTIONS_PER_ADDRESS="10000",
            RATE_LIMIT_VOTE_USER="1000000/s",
            RATE_LIMIT_VOTE_ANON="1000000/s",
            RATE_LIMIT_COMMENT_USER="1000000/s",
            RATE_LIMIT_COMMENT_ANON="1000000/s",
            FORUM_NEW_ACCOUNT_WAIT_SECONDS="0",
            DJANGO_LOG_LEVEL="WARNING",
        )

    def _run(self, command: str, timeout: float) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", str(ROOT / "deploy" / "cluster"), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def up(self) -> None:
        started = self._run("up", timeout=300)
        if started.returncode != 0:
            logs = "\n".join(
                f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}"
                for log in sorted((self.dir / "log").glob("*.log"))
            )
            raise RuntimeError(f"make cluster did not start:\n{started.stdout}\n{started.stderr}\n{logs}")

    def down(self) -> None:
        self._run("down", timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)

    def pids(self) -> dict[str, list[int]]:
        conf = self.dir / "etc" / "supervisord.conf"
        found: dict[str, list[int]] = {}
        for role, programs in PROGRAMS.items():
            for program in programs:
                answer = subprocess.run(
                    [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", str(conf), "pid", program],
                    capture_output=True,
                    text=True,
                    timeout=30,
                ).stdout.strip()
                if answer.isdigit() and answer != "0":
                    found.setdefault(role, []).append(int(answer))
        return found


def _cpu_by_role(pids: dict[str, list[int]]) -> dict[str, float]:
    cpu = {role: sum(servers.process_tree_cpu_seconds(pid) for pid in role_pids) for role, role_pids in pids.items()}
    # PostgreSQL serves every database on the machine: other people's work shows here too.
    cpu["PostgreSQL (whole server)"] = servers.cpu_seconds_of("postgres")
    return cpu


# --- The seed ---------------------------------------------------------------------------------------


def seed() -> Seed:
    """One article with 200 comments voted on, a probe comment for each lag probe, 400 readers with
    tokens and 10 signed-in sessions. Needs Django set up on the bench's database."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from bench import measure
    from forum.models import Article, Comment, Section

    author = User.objects.create(username="viral-author", country="GB", password="!", email_verified=True)
    readers = User.objects.bulk_create(
        [
            User(username=f"viral-reader-{i}", country="JP" if i % 2 else "US", password="!", email_verified=True)
            for i in range(READERS + PROBES)
        ]
    )
    article = Article.objects.create(
        title="Viral article",
        slug="viral",
        dateline=timezone.localdate(),
        body="A story everyone reads.\n\n" * 10,
        status=Article.Status.PUBLISHED,
    )
    comments = Comment.objects.bulk_create(
        [
            Comment(
                article=article,
                author=author,
                section=Section.JAPAN if i % 2 else Section.WORLD,
                signed=not i % 2,
                body=f"Comment {i}: an opinion on the story.",
            )
            for i in range(VOTED_COMMENTS + PROBES)
        ]
    )
    ids = [comment.pk for comment in comments]
    voted_ids, probe_ids = ids[:VOTED_COMMENTS], ids[VOTED_COMMENTS:]
    tokens = Token.objects.bulk_create([Token(user=reader, key=Token.generate_key()) for reader in readers])
    keys = [token.key for token in tokens]
    # Two page shapes: the first page of each section in the default sort (100 comments each),
    # the probes' comments among them, as a page that shows them would ask.
    newest = max(ids)
    shapes = [[*voted_ids[start::2][: 100 - PROBES // 2], *probe_ids[start::2]] for start in (0, 1)]
    poll_paths = [f"/articles/{article.pk}/live/?ids={','.join(map(str, shape))}&after={newest}" for shape in shapes]
    probe_paths = {pk: path for shape, path in zip(shapes, poll_paths, strict=True) for pk in shape if pk in probe_ids}
    cookies = [measure.session_headers(reader)["Cookie"] for reader in readers[:10]]
    return Seed(
        article_path=article.get_absolute_url(),
        article_slug=article.slug,
        poll_paths=poll_paths,
        voted_ids=voted_ids,
        reader_tokens=keys[:READERS],
        signed_in_cookies=cookies,
        probes=list(zip(keys[READERS:], probe_ids, strict=True)),
        probe_paths=probe_paths,
    )


# --- The streams ------------------------------------------------------------------------------------


async def _open_loop(stream: Stream, send, deadline: float) -> None:
    """Requests at the stream's rate whatever the answers' pace, each timed from its send."""
    interval, started, sent = 1 / stream.rate, time.perf_counter(), 0
    pending: set[asyncio.Task] = set()

    async def one() -> None:
        began = time.perf_counter()
        try:
            outcome = await send()
        except (TimeoutError, aiohttp.ClientError) as error:
            stream.fail(type(error).__name__)
            return
        if time.perf_counter() > deadline:
            return  # answered after the window: neither counted nor timed
        if outcome is True:
            stream.ok += 1
            stream.latencies_ms.append((time.perf_counter() - began) * 1000)
        else:
            stream.fail(outcome)

    while (due := started + sent * interval) < deadline:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        task = asyncio.create_task(one())
        pending.add(task)
        task.add_done_callback(pending.discard)
        sent += 1
    if pending:
        await asyncio.wait(pending, timeout=10)


def _status(response: aiohttp.ClientResponse, *ok: int) -> bool | str:
    return True if response.status in ok else f"HTTP {response.status}"


async def _python_streams(seed: Seed, bases: list[str], seconds: float) -> tuple[list[Stream], list[float], int]:
    rng = random.Random(21)
    deadline = time.perf_counter() + seconds

    def base() -> str:
        return bases[rng.randrange(len(bases))]

    signed_out = Stream("signed-out page views", SIGNED_OUT_PER_SECOND, seconds)
    signed_in = Stream("signed-in page views", SIGNED_IN_PER_SECOND, seconds)
    votes = Stream("votes (API)", VOTES_PER_SECOND, seconds)
    comments = Stream("comments (API)", COMMENTS_PER_MINUTE / 60, seconds)
    choices: dict[tuple[int, int], str] = {}
    lags_ms: list[float] = []
    timeouts = [0]

    # A session per stream: a stream the server falls behind on must not hold the connections
    # another stream's requests wait for in the client.
    async with (
        load.new_session(64) as page_session,
        load.new_session(256) as vote_session,
        load.new_session(16) as other_session,
        # A new connection for each comment: a kept-alive one may be closing (nginx's
        # keepalive_requests), and a POST that met a closing connection cannot be sent again blindly.
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True), timeout=aiohttp.ClientTimeout(total=30)
        ) as comment_session,
    ):

        async def page(headers: dict[str, str]) -> bool | str:
            async with page_session.get(base() + seed.article_path, headers=headers) as response:
                await response.read()
                return _status(response, 200)

        async def vote() -> bool | str:
            reader = rng.randrange(len(seed.reader_tokens))
            comment_id = seed.voted_ids[rng.randrange(len(seed.voted_ids))]
            choice = "disagree" if choices.get((reader, comment_id)) == "agree" else "agree"
            headers = {"Authorization": f"Token {seed.reader_tokens[reader]}", "Content-Type": "application/json"}
            url = f"{base()}/api/v1/comments/{comment_id}/vote/"
            async with vote_session.put(url, data=json.dumps({"choice": choice}), headers=headers) as response:
                await response.read()
                if response.status == 200:
                    choices[(reader, comment_id)] = choice
                return _status(response, 200)

        async def comment() -> bool | str:
            token = seed.reader_tokens[rng.randrange(len(seed.reader_tokens))]
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            url = f"{base()}/api/v1/articles/{seed.article_slug}/comments/"
            body = json.dumps({"body": f"A new comment, {rng.random():.6f}."})
            async with comment_session.post(url, data=body, headers=headers) as response:
                await response.read()
                return _status(response, 201)

        async def probe(token: str, comment_id: int) -> None:
            """Vote, then poll the live counts as any reader sees them until the vote shows."""
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            path = seed.probe_paths[comment_id]
            choice = "agree"
            await asyncio.sleep(rng.uniform(0, 1))
            while time.perf_counter() < deadline - 3:
                choice = "disagree" if choice == "agree" else "agree"
                url = f"{base()}/api/v1/comments/{comment_id}/vote/"
                try:
                    async with other_session.put(url, data=json.dumps({"choice": choice}), headers=headers) as response:
                        await response.read()
                        if response.status != 200:
                            await asyncio.sleep(0.5)
                            continue
                    answered = time.perf_counter()
                    while True:
                        async with other_session.get(base() + path, headers={"Accept": "application/json"}) as poll:
                            counts = json.loads(await poll.read()) if poll.status == 200 else None
                        shown = counts and counts["counts"].get(str(comment_id), {})
                        if shown and shown.get(choice) == 1:
                            lags_ms.append((time.perf_counter() - answered) * 1000)
                            break
                        if time.perf_counter() - answered > 10:
                            timeouts[0] += 1
                            break
                        await asyncio.sleep(0.05)
                except (TimeoutError, aiohttp.ClientError):
                    timeouts[0] += 1
                await asyncio.sleep(rng.uniform(0.5, 1.5))

        gzip = {"Accept-Encoding": "gzip"}
        await asyncio.gather(
            _open_loop(signed_out, lambda: page(gzip), deadline),
            _open_loop(signed_in, lambda: page({**gzip, "Cookie": rng.choice(seed.signed_in_cookies)}), deadline),
            _open_loop(votes, vote, deadline),
            _open_loop(comments, comment, deadline),
            *(probe(token, comment_id) for token, comment_id in seed.probes),
        )
    return [signed_out, signed_in, votes, comments], lags_ms, timeouts[0]


def _start_wrk(base: str, paths: list[str], *, rate: float, connections: int, seconds: float) -> subprocess.Popen:
    """wrk polling ``paths`` (one thread per shape) on a schedule of ``rate`` polls a second in all
    (bench/viral_polls.lua), over ``connections`` kept-alive connections."""
    return subprocess.Popen(
        [
            shutil.which("wrk") or "wrk",
            f"-t{len(paths)}",
            f"-c{connections}",
            f"-d{seconds:.0f}s",
            "--timeout=5s",
            "--latency",
            "-s",
            str(POLLS_SCRIPT),
            base,
            "--",
            f"{rate / len(paths):.3f}",
            *paths,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wrk_result(process: subprocess.Popen) -> tuple[dict[str, float], float]:
    """The VIRAL_POLLS line's figures, and the CPU wrk used (from its rusage)."""
    output = process.stdout.read()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0
    line = next((line for line in output.splitlines() if line.startswith("VIRAL_POLLS")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output[-2000:]}")
    return {key: float(value) for key, value in re.findall(r"(\w+)=([0-9.]+)", line)}, usage.ru_utime + usage.ru_stime


def _warm(seed: Seed, base: str) -> None:
    """The article has been viral for a while: its page and live answers are in the caches, and
    every process has served a request, before anything is measured."""
    for _ in range(4):
        for path in (seed.article_path, *seed.poll_paths, "/health/"):
            request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the bench's own front
                response.read()


def run_streams(seed: Seed, cluster: Cluster, *, label: str, bases: list[str], seconds: float) -> Run:
    """Every stream at once against ``bases`` (the front, or the nodes), measured."""
    poll_rate = OPEN_PAGES / POLL_SECONDS
    pids = cluster.pids()
    cpu_before = _cpu_by_role(pids)
    busy_before, _ = servers.machine_cpu_busy_seconds()
    client_before = time.process_time()
    started = time.monotonic()
    pollers = [
        _start_wrk(
            base,
            seed.poll_paths,
            rate=poll_rate / len(bases),
            connections=POLL_CONNECTIONS // len(bases),
            seconds=seconds,
        )
        for base in bases
    ]
    streams, lags_ms, lag_timeouts = load_run(_python_streams(seed, bases, seconds))
    polled = [_wrk_result(process) for process in pollers]
    wall = time.monotonic() - started
    cpu_after = _cpu_by_role(pids)
    busy_after, _ = servers.machine_cpu_busy_seconds()
    cpu = {role: (cpu_after[role] - cpu_before[role]) / wall for role in cpu_after}
    cpu["load clients (wrk + asyncio)"] = (sum(used for _, used in polled) + time.process_time() - client_before) / wall

    polls = Stream("live polls (wrk)", poll_rate, seconds)
    for figures, _ in polled:
        answered = sum(count for key, count in figures.items() if key in {"status_200", "status_304"})
        polls.ok += int(answered)
        for key, count in figures.items():
            if key.startswith("status_") and key not in {"status_200", "status_304"}:
                polls.failures[f"HTTP {key.removeprefix('status_')}"] = int(count)
        if figures.get("socket_errors"):
            polls.failures["socket errors"] = int(figures["socket_errors"])
        if figures.get("timeouts"):
            polls.failures["timeouts"] = int(figures["timeouts"])
    # Percentiles of several wrk processes: the worst of them (each saw half the load).
    polls.p50_ms = max(figures["p50_us"] for figures, _ in polled) / 1000
    polls.p99_ms = max(figures["p99_us"] for figures, _ in polled) / 1000
    return Run(
        label=label,
        seconds=seconds,
        streams=[polls, *streams],
        lags_ms=lags_ms,
        lag_timeouts=lag_timeouts,
        cpu=cpu,
        machine_busy=(busy_after - busy_before) / wall,
    )


def load_run(coroutine):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# --- The phase --------------------------------------------------------------------------------------


@dataclass
class LivePages:
    seconds: float
    polls: dict[str, float]  # wrk's VIRAL_POLLS figures
    votes: int
    front_cores: float
    app_cores: float


def run_live_pages(seed: Seed, cluster: Cluster, *, seconds: float) -> LivePages:
    """2,000 open pages polling through the front every 3.5 s while one reader votes a second:
    the CPU the front and the app nodes used (issue 21's figure, front included)."""
    pids = cluster.pids()
    roles = ("front (nginx)", "app (2 gunicorn nodes)")
    before = {role: sum(servers.process_tree_cpu_seconds(pid) for pid in pids[role]) for role in roles}
    started = time.monotonic()
    poller = _start_wrk(
        f"http://{cluster.front}", seed.poll_paths[:1], rate=LIVE_PAGES / POLL_SECONDS, connections=64, seconds=seconds
    )
    votes = Stream("vote trickle", 1, seconds)

    async def trickle() -> None:
        rng = random.Random(2)
        async with load.new_session(4) as session:

            async def vote() -> bool | str:
                comment_id = seed.voted_ids[rng.randrange(len(seed.voted_ids))]
                token = seed.reader_tokens[rng.randrange(len(seed.reader_tokens))]
                headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
                url = f"http://{cluster.front}/api/v1/comments/{comment_id}/vote/"
                body = json.dumps({"choice": rng.choice(["agree", "disagree"])})
                async with session.put(url, data=body, headers=headers) as response:
                    await response.read()
                    return _status(response, 200)

            await _open_loop(votes, vote, time.perf_counter() + seconds)

    load_run(trickle())
    polls, _ = _wrk_result(poller)
    wall = time.monotonic() - started
    after = {role: sum(servers.process_tree_cpu_seconds(pid) for pid in pids[role]) for role in roles}
    return LivePages(
        seconds=seconds,
        polls=polls,
        votes=votes.ok,
        front_cores=(after[roles[0]] - before[roles[0]]) / wall,
        app_cores=(after[roles[1]] - before[roles[1]]) / wall,
    )


def describe_live_pages(live: LivePages) -> str:
    cores = live.front_cores + live.app_cores
    answered = live.polls.get("status_200", 0) + live.polls.get("status_304", 0)
    return (
        f"live counts, {LIVE_PAGES:,} open pages following one article, one vote a second: "
        f"{cores:.3f} core of the front and the app (nginx {live.front_cores:.3f}, gunicorn {live.app_cores:.3f}; "
        f"{answered / live.seconds:,.0f} polls/s, {live.polls.get('status_304', 0):,.0f} answered 304, "
        f"p99 {live.polls.get('p99_us', float('nan')) / 1000:,.1f} ms, {live.votes} votes)  "
        f"[<= {LIVE_CORES_TARGET} core {_verdict(cores <= LIVE_CORES_TARGET)}]"
    )


@dataclass
class ViralFigures:
    runs: list[Run]
    live_pages: LivePages | None
    drift: int | None
    drift_seconds: float
    comments: int


def viral_phase(*, database_url: str, seconds: float, direct: bool = True) -> ViralFigures:
    """Start the cluster on the bench's database (Django set up on it), seed, run through the
    front and (``direct``) straight to the nodes, wait for the counts, check the drift, stop."""
    from bench import measure

    if not shutil.which("wrk"):
        raise RuntimeError("the viral phase needs wrk (apt-get install -y wrk)")
    cluster = Cluster(database_url)
    print(f"  starting make cluster's topology in {cluster.dir} (front {cluster.front}) ...", flush=True)
    try:
        cluster.up()
        data = seed()
        _warm(data, f"http://{cluster.front}")
        print(f"  live counts: {LIVE_PAGES:,} open pages and one vote a second, through the front ...", flush=True)
        live_pages = run_live_pages(data, cluster, seconds=min(seconds, 20))
        print(f"    {describe_live_pages(live_pages)}", flush=True)
        runs = []
        targets = [("through the front (nginx)", [f"http://{cluster.front}"])]
        if direct:
            targets.append(("straight to the two gunicorn nodes", [f"http://{node}" for node in cluster.nodes]))
        for label, bases in targets:
            print(f"  {label}: every stream for {seconds:.0f} s ...", flush=True)
            run = run_streams(data, cluster, label=label, bases=bases, seconds=seconds)
            for line in describe_run(run):
                print(f"    {line}", flush=True)
            runs.append(run)
        # The tally rounds and the reconciliation catch up; then every stored count is compared
        # with a fresh count of its vote rows.
        waited_from = time.monotonic()
        drift = None
        while time.monotonic() - waited_from < 60:
            drift = len(measure.drifted_comments())
            if drift == 0:
                break
            time.sleep(1)
        return ViralFigures(
            runs=runs,
            live_pages=live_pages,
            drift=drift,
            drift_seconds=time.monotonic() - waited_from,
            comments=measure.comment_count(),
        )
    finally:
        cluster.down()


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def describe_run(run: Run) -> list[str]:
    lines = [f"{run.label}, {run.seconds:.0f} s:"]
    for stream in run.streams:
        p50, p99 = stream.percentile(0.5), stream.percentile(0.99)
        rate_met = stream.served_rate >= stream.rate * RATE_SHORTFALL
        checks = [f"rate {_verdict(rate_met)}"]
        if not stream.name.startswith(("signed-in", "comments")):
            checks.append(f"p99 < {P99_TARGET_MS} ms {_verdict(p99 < P99_TARGET_MS)}")
        errors = sum(stream.failures.values())
        lines.append(
            f"  {stream.name}: {stream.served_rate:,.1f}/s of {stream.rate:,.1f}/s, p50 {p50:,.1f} ms, "
            f"p99 {p99:,.1f} ms, errors {errors}"
            + (f" {stream.failures}" if errors else "")
            + f"  [{', '.join(checks)}]"
        )
    lag50, lag99 = load.percentile(run.lags_ms, 0.5), load.percentile(run.lags_ms, 0.99)
    lines.append(
        f"  a vote shows to others (live counts, {len(run.lags_ms)} probes, {run.lag_timeouts} not within 10 s): "
        f"p50 {lag50:,.0f} ms, p99 {lag99:,.0f} ms  [p99 < {LAG_P99_TARGET_MS} ms "
        f"{_verdict(lag99 < LAG_P99_TARGET_MS and not run.lag_timeouts)}]"
    )
    cores = os.cpu_count() or 1
    roles = ", ".join(f"{role} {used:.2f}" for role, used in run.cpu.items())
    lines.append(f"  CPU, cores used: {roles}; machine {run.machine_busy:.2f} of {cores}")
    return lines


def describe(figures: ViralFigures) -> list[str]:
    lines = [] if figures.live_pages is None else [describe_live_pages(figures.live_pages)]
    for run in figures.runs:
        lines += describe_run(run)
    drift = "not measured" if figures.drift is None else f"{figures.drift} of {figures.comments:,} comments"
    lines.append(
        f"final drift, {figures.drift_seconds:.0f} s after the load: {drift}  [0 {_verdict(figures.drift == 0)}]"
    )
    return lines
