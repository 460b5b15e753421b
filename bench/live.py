"""Live counts at the scale of a viral article: ``python bench/live.py`` (or call ``live_phase``).

Thousands of readers keep one article open; each page polls ``/articles/<id>/live/`` every
LIVE_INTERVAL seconds with the ETag it last saw (the article's content version), as
static/js/article.js does. Meanwhile a trickle of votes (one every VOTE_EVERY seconds, tallied by
the real worker) changes the article's counts, so pages get fresh answers at the rate a busy
article changes and 304s in between. The figure is the CPU the web server's processes used
during the phase, in cores (target ≤ 0.25 for 2,000 open pages), measured from /proc.

The pollers are open-loop (each page asks on its own schedule, however slow the answers), on one
asyncio loop sharing a pool of kept-alive connections; their own CPU is reported apart.
"""

import argparse
import asyncio
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness, load, servers  # noqa: E402
from bench.harness import CpuMeter, run_async  # noqa: E402

LIVE_INTERVAL = 3.5  # seconds, as in static/js/article.js
VOTE_EVERY = 1.0  # seconds between two votes of the trickle
TARGET_CORES = 0.25
TARGET_PAGES = 2000


@dataclass
class LiveResult:
    pages: int
    seconds: float
    not_modified: int = 0
    changed: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    votes: int = 0

    @property
    def requests(self) -> int:
        return self.not_modified + self.changed

    def fail(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1


async def _page(session, url: str, deadline: float, result: LiveResult, rng: random.Random) -> None:
    """One open page: first poll at a random point of the interval, as pages open at random times."""
    etag = None
    await asyncio.sleep(rng.uniform(0, LIVE_INTERVAL))
    while time.perf_counter() < deadline:
        due = time.perf_counter() + LIVE_INTERVAL
        started = time.perf_counter()
        try:
            headers = {"Accept": "application/json", **({"If-None-Match": etag} if etag else {})}
            async with session.get(url, headers=headers) as response:
                await response.read()
                if response.status == 304:
                    result.not_modified += 1
                elif response.status == 200:
                    result.changed += 1
                    etag = response.headers.get("ETag")
                else:
                    result.fail(str(response.status))
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
        except (TimeoutError, aiohttp.ClientError) as error:
            result.fail(type(error).__name__)
        await asyncio.sleep(max(0.0, due - time.perf_counter()))


async def _vote_trickle(session, endpoint, voters, comment_ids, deadline: float, result: LiveResult) -> None:
    rng = random.Random(7)
    while time.perf_counter() < deadline:
        voter = voters[rng.randrange(len(voters))]
        comment_id = comment_ids[rng.randrange(len(comment_ids))]
        choice = voter.next_choice(comment_id)
        method, url, headers, body = endpoint.request(voter, comment_id, choice)
        try:
            async with session.request(method, url, headers=headers, data=body) as response:
                answer = await response.read()
                if response.status == 200:
                    voter.choices[comment_id] = endpoint.choice_after(answer, choice)
                    result.votes += 1
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(VOTE_EVERY)


async def run_live_pollers(
    *, base_url: str, article_id: int, comment_ids: list[int], pages: int, seconds: float, endpoint, voters
) -> LiveResult:
    """``pages`` open pages following one article for ``seconds``, with the vote trickle."""
    query = f"?ids={','.join(map(str, comment_ids))}&after={max(comment_ids)}"
    url = f"{base_url}/articles/{article_id}/live/{query}"
    result = LiveResult(pages=pages, seconds=seconds)
    deadline = time.perf_counter() + seconds
    rng = random.Random(1)
    async with load.new_session(min(pages, 256)) as session:
        tasks = [_page(session, url, deadline, result, rng) for _ in range(pages)]
        tasks.append(_vote_trickle(session, endpoint, voters, comment_ids, deadline, result))
        await asyncio.gather(*tasks)
    return result


def describe(result: LiveResult, cpu) -> list[str]:
    """The report's lines; ``cpu`` is bench.harness.Cpu for the phase."""
    cores = cpu.gunicorn / cpu.wall
    per_page_target = TARGET_CORES * result.pages / TARGET_PAGES
    scaled = cores * TARGET_PAGES / result.pages if result.pages else float("nan")
    failures = f", failures {result.failures}" if result.failures else ""
    # Issue 21's target counts the front too, and is met through it: the viral phase measures it
    # (bench/viral.py). Here every poll reaches gunicorn, as on a deployment without a shared cache.
    return [
        f"live counts: {TARGET_PAGES:,} open pages following one article, straight to gunicorn (no front), "
        f"CPU used: {scaled:.3f} core (reported; the ≤ {TARGET_CORES} core target, front included, is the "
        "viral phase's)"
        + ("" if result.pages == TARGET_PAGES else f" [scaled from {result.pages:,} pages: {cores:.3f} core]"),
        f"  {result.requests / result.seconds:,.0f} polls/s ({result.not_modified:,} answered 304, "
        f"{result.changed:,} with new counts), {result.votes} votes in the trickle, "
        f"p50 {load.percentile(result.latencies_ms, 0.5):.1f} ms, "
        f"p99 {load.percentile(result.latencies_ms, 0.99):.1f} ms"
        f"{failures}; target for {result.pages:,} pages: ≤ {per_page_target:.3f} core",
        f"  CPU: {cpu.describe()}",
    ]


def live_phase(bench, *, pages: int, seconds: float) -> list[str]:
    """The phase, for bench/run.py: needs a running gunicorn and Celery (worker + beat) of ``bench``."""
    gunicorn = next(s for s in bench.running if s.name.startswith("gunicorn"))
    celery = [s for s in bench.running if s.name.startswith("celery")]
    ids = bench.seed.spread_comment_ids[:100]  # one page of a section
    meter = CpuMeter(gunicorn, celery)
    before = meter.snapshot()
    result = run_async(
        run_live_pollers(
            base_url=bench.base_url,
            article_id=bench.seed.article.pk,
            comment_ids=ids,
            pages=pages,
            seconds=seconds,
            endpoint=bench.endpoint,
            voters=bench.voters,
        )
    )
    lines = describe(result, meter.since(before))
    for line in lines:
        print(line, flush=True)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=TARGET_PAGES, help="open pages following the article")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=servers.DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=servers.DEFAULT_THREADS)
    harness.add_database_options(parser)
    args = parser.parse_args()
    shape = {"clients": 8, "comments": 200, "workers": args.workers, "threads": args.threads}
    with harness.standalone_bench(args, title="Live-counts benchmark", **shape) as bench:
        bench.start_celery()
        bench.start_gunicorn("live")
        live_phase(bench, pages=args.pages, seconds=args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
