"""The reading and scale phases of ``make bench`` (issue 12): run after the vote phases, on a
gunicorn of their own (no Celery: nothing here votes), in the same bench database.

  - API list, page_size=100, signed out, req/s ÷ GET /health/ req/s (both measured here);
  - the in-process CPU cost of one API list request, with Django's test client (so the load
    client's CPU does not count): signed out from the cache, signed out on a cache miss, signed in;
  - one article at scale (``manage.py load_scale``: 100,000 comments and 1,000,000 votes at
    --scale 1), then ``recount_votes`` over it, timed;
  - page N ÷ page 1 of its 100,000-comment section, p95 latency, for the API list (keyset cursor)
    and for the web article page (seek to cached page starts); N is 500, or the last page at a
    smaller --scale. Each client alternates between the two pages, so both see the same load.
"""

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parent.parent
FULL_COMMENTS = 100_000
FULL_VOTES = 1_000_000
DEEP_PAGE = 500
PAGE_SIZE = 100
SCALE_SLUG = "scale"


@dataclass
class PagePair:
    """Latencies of the first and the deep page, measured side by side."""

    what: str
    deep_page: int
    first_ms: list[float] = field(default_factory=list)
    deep_ms: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        first = load.percentile(self.first_ms, 0.95)
        return load.percentile(self.deep_ms, 0.95) / first if first else float("nan")


@dataclass
class ScaleFigures:
    health: load.PhaseResult
    api_list: load.PhaseResult
    cpu: dict  # phase name -> run.Cpu
    in_process_ms: dict[str, float]
    comments: int
    votes: int
    load_seconds: float
    recount_seconds: float
    recount_output: str
    pages: list[PagePair]
    sections_ms: dict[int, float]


async def run_gets(*, url: str, clients: int, seconds: float, name: str) -> load.PhaseResult:
    """Closed-loop signed-out GETs of one URL (no cookies, so nothing is signed in)."""

    async def send(session) -> bool | str:
        async with session.get(url) as response:
            await response.read()
            return True if response.status == 200 else f"HTTP {response.status}"

    return await load.run_clients(name, clients, seconds, lambda _: send)


# However slow the page, a p95 needs samples: the phase goes on past its seconds until each page
# has this many, up to a cap.
PAGE_SAMPLES = 200
PAGE_CAP_SECONDS = 120


async def run_page_pair(
    *, pair: PagePair, first_url: str, deep_url: str, clients: int, seconds: float, samples: int = PAGE_SAMPLES
) -> PagePair:
    started = time.perf_counter()

    def more() -> bool:
        elapsed = time.perf_counter() - started
        enough = min(len(pair.first_ms), len(pair.deep_ms)) >= samples
        return elapsed < seconds or (not enough and elapsed < PAGE_CAP_SECONDS)

    async def client(session, index: int) -> None:
        turn = index % 2
        while more():
            url, samples = (first_url, pair.first_ms) if turn == 0 else (deep_url, pair.deep_ms)
            turn ^= 1
            started = time.perf_counter()
            try:
                async with session.get(url) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, OSError) as error:
                pair.failures[type(error).__name__] = pair.failures.get(type(error).__name__, 0) + 1
                continue
            if status != 200:
                pair.failures[f"HTTP {status}"] = pair.failures.get(f"HTTP {status}", 0) + 1
                continue
            samples.append((time.perf_counter() - started) * 1000)

    async with load.new_session(clients + 2) as session:
        await asyncio.gather(*(client(session, i) for i in range(clients)))
    return pair


def in_process_cpu_ms(path: str, *, requests: int, user=None, before_each=None) -> float:
    """CPU milliseconds this process spends per request through Django's test client: the
    framework and the view, without HTTP or the load client. Database and Redis time is theirs."""
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    for _ in range(5):  # warm: imports, connections, the first cache fill
        client.get(path)
    spent = 0.0
    for _ in range(requests):
        if before_each:
            before_each()
        started = time.process_time()
        response = client.get(path)
        spent += time.process_time() - started
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
    return spent / requests * 1000


def api_list_cpu(*, slug: str, requests: int) -> dict[str, float]:
    from accounts.models import User
    from forum import caching
    from forum.models import Article

    article_id = Article.objects.get(slug=slug).pk
    path = f"/api/v1/articles/{slug}/comments/?section=world&page_size={PAGE_SIZE}"
    reader = User.objects.filter(is_staff=False).order_by("pk").first()
    return {
        "health": in_process_cpu_ms("/health/", requests=requests),
        "signed out, cached": in_process_cpu_ms(path, requests=requests),
        "signed out, cache miss": in_process_cpu_ms(
            path, requests=requests, before_each=lambda: caching.bump_article_version(article_id)
        ),
        "signed in (session; not cached)": in_process_cpu_ms(path, requests=requests, user=reader),
    }


def section_query_ms(*, slug: str, page: int, requests: int) -> float:
    """Median wall milliseconds of forum.selectors.article_sections for one page, in process: the
    database side of the article page, which the page cache does not hide on a miss."""
    from forum.models import Article
    from forum.selectors import article_sections

    article = Article.objects.get(slug=slug)
    article_sections(article=article, sort="newest", pages={"world": page})  # the version's starts
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        article_sections(article=article, sort="newest", pages={"world": page})
        times.append((time.perf_counter() - started) * 1000)
    return load.percentile(times, 0.5)


def timed_manage(*args: str, env: dict[str, str], log_dir: Path) -> tuple[float, str]:
    """Run a management command; its seconds and the last line it printed (stderr, where a
    progress bar goes, is kept in the run's manage.log)."""
    started = time.monotonic()
    with (log_dir / "manage.log").open("ab") as log:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, check=True
        )
    output = done.stdout.decode().strip().splitlines()
    return time.monotonic() - started, output[-1] if output else ""


def deep_api_cursor(*, slug: str, position: int) -> str:
    """The cursor whose page starts at ``position`` (0-based) of the section, newest first: what a
    client holds after following ``position / PAGE_SIZE`` next links."""
    from api.pagination import encode_cursor
    from forum.models import Article, Section
    from forum.selectors import section_comments

    article = Article.objects.get(slug=slug)
    last_before = section_comments(article=article, section=Section.WORLD).values_list("created_at", "id")[position - 1]
    return encode_cursor("created_at", *last_before)


def measure(bench, *, phase, meter_for) -> ScaleFigures:
    """``bench`` is run.Bench; ``phase`` and ``meter_for`` are run.phase and a CpuMeter factory."""
    args = bench.args
    cpu = {}
    print("Reading: signed-out API list against /health/, on a gunicorn of its own (no Celery)", flush=True)
    gunicorn = bench.start_gunicorn("reads")
    meter = meter_for(gunicorn)
    list_url = f"{bench.base_url}/api/v1/articles/benchmark/comments/?section=world&page_size={PAGE_SIZE}"
    asyncio.run(run_gets(url=list_url, clients=args.clients, seconds=args.warmup, name="warm-up"))
    health, cpu["reads health"] = phase(
        meter,
        load.run_health(
            base_url=bench.base_url, clients=args.clients, seconds=args.health_seconds, name="GET /health/"
        ),
    )
    api_list, cpu["API list"] = phase(
        meter,
        run_gets(
            url=list_url,
            clients=args.clients,
            seconds=args.health_seconds,
            name=f"GET API list, page_size={PAGE_SIZE}, signed out, {args.clients} clients",
        ),
    )
    in_process = api_list_cpu(slug="benchmark", requests=args.in_process_requests)
    print("  in process: " + ", ".join(f"{k} {v:.2f} ms" for k, v in in_process.items()), flush=True)

    comments = max(PAGE_SIZE * 2, int(FULL_COMMENTS * args.scale))
    votes = int(FULL_VOTES * args.scale)
    print(f"Scale: one article with {comments:,} comments and {votes:,} votes", flush=True)
    env = bench.env
    load_seconds, _ = timed_manage(
        "load_scale",
        f"--slug={SCALE_SLUG}",
        f"--comments={comments}",
        f"--votes={votes}",
        env=env,
        log_dir=bench.run_dir,
    )
    print(f"  loaded in {load_seconds:.1f} s", flush=True)
    recount_seconds, recount_output = timed_manage("recount_votes", env=env, log_dir=bench.run_dir)
    print(f"  recount_votes: {recount_seconds:.1f} s ({recount_output})", flush=True)

    pages = comments // PAGE_SIZE
    deep = min(DEEP_PAGE, pages)
    api = f"{bench.base_url}/api/v1/articles/{SCALE_SLUG}/comments/?section=world&page_size={PAGE_SIZE}"
    web = f"{bench.base_url}/articles/{SCALE_SLUG}/"
    pairs = [
        (
            PagePair(f"API list, page_size={PAGE_SIZE}, signed out (keyset cursor)", deep),
            api,
            f"{api}&cursor={deep_api_cursor(slug=SCALE_SLUG, position=(deep - 1) * PAGE_SIZE)}",
        ),
        (
            PagePair("web article page, signed out (section page starts)", deep),
            f"{web}?world_page=1",
            f"{web}?world_page={deep}",
        ),
    ]
    sections_ms = {
        page: section_query_ms(slug=SCALE_SLUG, page=page, requests=args.in_process_requests) for page in (1, deep)
    }
    print(
        f"  article_sections() in process, median: page 1 {sections_ms[1]:.2f} ms, "
        f"page {deep} {sections_ms[deep]:.2f} ms"
    )
    measured = []
    for pair, first_url, deep_url in pairs:
        asyncio.run(
            run_page_pair(pair=PagePair(pair.what, deep), first_url=first_url, deep_url=deep_url, clients=2, seconds=1)
        )
        before = meter.snapshot()
        asyncio.run(
            run_page_pair(
                pair=pair, first_url=first_url, deep_url=deep_url, clients=args.page_clients, seconds=args.page_seconds
            )
        )
        cpu[f"pages: {pair.what}"] = meter.since(before)
        print(
            f"  {pair.what}: page 1 p95 {load.percentile(pair.first_ms, 0.95):.1f} ms ({len(pair.first_ms)}), "
            f"page {deep} p95 {load.percentile(pair.deep_ms, 0.95):.1f} ms ({len(pair.deep_ms)}), "
            f"ratio {pair.ratio:.2f}" + (f", failures {pair.failures}" if pair.failures else ""),
            flush=True,
        )
        measured.append(pair)
    bench.stop(gunicorn)
    return ScaleFigures(
        health=health,
        api_list=api_list,
        cpu=cpu,
        in_process_ms=in_process,
        comments=comments,
        votes=votes,
        load_seconds=load_seconds,
        recount_seconds=recount_seconds,
        recount_output=recount_output,
        pages=measured,
        sections_ms=sections_ms,
    )


def report_rows(table, figures: ScaleFigures, ratio) -> None:
    """The scale figures as rows of run.Report (``ratio`` is run.ratio)."""
    f = figures
    value = ratio(f.api_list.rate, f.health.rate)
    table.row(
        "r",
        f"API list, page_size={PAGE_SIZE}, signed out ÷ GET /health/",
        value,
        f"{value:.2f}  ({f.api_list.rate:,.0f} / {f.health.rate:,.0f})",
        ">= 0.3",
        lambda v: v >= 0.3,
    )
    for pair in f.pages:
        label = f"page {pair.deep_page} ÷ page 1, {f.comments:,}-comment section, p95: {pair.what}"
        table.row("s", label, pair.ratio, f"{pair.ratio:.2f}", "<= 1.2", lambda v: v <= 1.2)
    table.row(
        "s",
        f"recount_votes, {f.votes:,} votes",
        f.recount_seconds,
        f"{f.recount_seconds:.1f} s",
        "<= 60 s",
        lambda v: v <= 60,
    )


def report_details(figures: ScaleFigures) -> list[str]:
    f = figures
    lines = [
        "  r: closed-loop signed-out GETs of /api/v1/articles/benchmark/comments/?section=world&page_size=100 "
        "(served from the page cache after the first), against GET /health/ on the same gunicorn just before.",
        "  CPU per request in process (Django test client, this process only; not the database's or Redis's):",
        *(f"     {name}: {ms:.2f} ms" for name, ms in f.in_process_ms.items()),
        f"  s: load_scale wrote {f.comments:,} comments and {f.votes:,} votes in {f.load_seconds:.1f} s "
        "(set-based SQL);",
        f"     recount_votes over them from all-wrong counters: {f.recount_seconds:.1f} s ({f.recount_output}).",
    ]
    first, deep = min(f.sections_ms), max(f.sections_ms)
    lines.append(
        f"     article_sections() in process (the page's queries, median wall): page 1 {f.sections_ms[first]:.2f} ms, "
        f"page {deep} {f.sections_ms[deep]:.2f} ms"
    )
    for pair in f.pages:
        lines.append(
            f"     {pair.what}: page 1 p50/p95 {load.percentile(pair.first_ms, 0.5):.1f}/"
            f"{load.percentile(pair.first_ms, 0.95):.1f} ms ({len(pair.first_ms)} samples), page {pair.deep_page} "
            f"{load.percentile(pair.deep_ms, 0.5):.1f}/{load.percentile(pair.deep_ms, 0.95):.1f} ms "
            f"({len(pair.deep_ms)}); clients alternate between the two"
            + (f"; failures {pair.failures}" if pair.failures else "")
        )
    return lines
