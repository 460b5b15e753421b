"""The article page under load: ``python bench/page.py`` (or call ``page_phase`` / ``inprocess_page_cpu``).

Figures (issue 12):
- article page, signed out, 200 comments shown (100 per section), req/s ÷ GET /health/ (target ≥ 0.5);
- the same, signed in (target ≥ 0.15): a reader who voted on some comments and wrote some;
- the CPU one page request costs in process, with Django's test client (no HTTP, no load client):
  signed out and signed in, in ms;
- with threads (issue 20): the signed-out page of an article whose 200 shown comments have 2,000
  replies (3 shown per thread, "7 more replies"), against the same signed-out target.

The HTTP phases are closed loops over kept-alive connections, as the vote phases; the page's
answers are full 200s (no If-None-Match), so the figure is the server's work, not a 304's.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import harness, load  # noqa: E402
from bench.harness import CpuMeter, phase, run_async  # noqa: E402

if TYPE_CHECKING:
    from bench.measure import PageSeed

TARGET_SIGNED_OUT = 0.5
TARGET_SIGNED_IN = 0.15


def inprocess_page_cpu(seed: PageSeed, *, requests: int = 50) -> dict[str, float]:
    """CPU ms per page request through Django's test client (after one warm-up request each)."""
    from django.test import Client

    from accounts.models import User

    reader = User.objects.get(pk=seed.reader_id)
    signed_in = Client()
    signed_in.force_login(reader)
    figures = {}
    for name, client in (("signed out", Client()), ("signed in", signed_in)):
        response = client.get(seed.path)
        assert response.status_code == 200, response.status_code
        started = time.process_time()
        for _ in range(requests):
            client.get(seed.path)
        figures[name] = (time.process_time() - started) * 1000 / requests
    return figures


async def run_pages(*, base_url: str, path: str, headers: dict[str, str], clients: int, seconds: float, name: str):
    url = f"{base_url}{path}"

    async def send(session) -> bool | str:
        async with session.get(url, headers=headers) as response:
            await response.read()
            return True if response.status == 200 else f"HTTP {response.status}"

    # Asked as browsers ask (gzip; the app sends a kept signed-out page compressed, and leaves the
    # rest to the front, which compresses in the cluster). The bodies stay as they came: counting
    # them is all the phase does, and inflating 10-40 kB a page on the cores the server shares
    # made the load client, not the server, set the figure.
    return await load.run_clients(name, clients, seconds, lambda _: send, decompress=False)


def verdict(value: float, target: float) -> str:
    return "met" if value >= target else "MISSED"


def page_lines(*, health_rate: float, signed_out, signed_in, cpu_out, cpu_in, inprocess: dict[str, float]) -> list[str]:
    """The report's lines; ``signed_out``/``signed_in`` are load.PhaseResult, ``cpu_*`` bench.harness.Cpu."""
    out_ratio = signed_out.rate / health_rate if health_rate else 0.0
    in_ratio = signed_in.rate / health_rate if health_rate else 0.0
    return [
        f"article page, signed out, 200 comments shown, ÷ /health/: {out_ratio:.3f} "
        f"({signed_out.rate:,.0f}/s ÷ {health_rate:,.0f}/s; target ≥ {TARGET_SIGNED_OUT}) "
        f"{verdict(out_ratio, TARGET_SIGNED_OUT)}",
        f"  p50 {load.percentile(signed_out.latencies_ms, 0.5):.1f} ms, "
        f"p99 {load.percentile(signed_out.latencies_ms, 0.99):.1f} ms"
        + (f", failures {signed_out.failures}" if signed_out.failures else ""),
        f"  CPU: {cpu_out.describe()}",
        f"same, signed in: {in_ratio:.3f} ({signed_in.rate:,.0f}/s; target ≥ {TARGET_SIGNED_IN}) "
        f"{verdict(in_ratio, TARGET_SIGNED_IN)}",
        f"  p50 {load.percentile(signed_in.latencies_ms, 0.5):.1f} ms, "
        f"p99 {load.percentile(signed_in.latencies_ms, 0.99):.1f} ms"
        + (f", failures {signed_in.failures}" if signed_in.failures else ""),
        f"  CPU: {cpu_in.describe()}",
        f"article page CPU per request in process (Django test client): signed out "
        f"{inprocess['signed out']:.2f} ms, signed in {inprocess['signed in']:.2f} ms",
    ]


def threaded_lines(*, health_rate: float, signed_out, cpu, inprocess: dict[str, float]) -> list[str]:
    """The threaded variant's lines: the signed-out page of 200 threads with 2,000 replies."""
    ratio = signed_out.rate / health_rate if health_rate else 0.0
    return [
        f"article page with threads (200 comments, 2,000 replies, 3 shown each), signed out, ÷ /health/: "
        f"{ratio:.3f} ({signed_out.rate:,.0f}/s; target ≥ {TARGET_SIGNED_OUT}) {verdict(ratio, TARGET_SIGNED_OUT)}",
        f"  p50 {load.percentile(signed_out.latencies_ms, 0.5):.1f} ms, "
        f"p99 {load.percentile(signed_out.latencies_ms, 0.99):.1f} ms"
        + (f", failures {signed_out.failures}" if signed_out.failures else ""),
        f"  CPU: {cpu.describe()}",
        f"  in process: signed out {inprocess['signed out']:.2f} ms, signed in {inprocess['signed in']:.2f} ms",
    ]


def page_phase(bench, *, seed: PageSeed, clients: int, seconds: float, threaded: PageSeed | None = None) -> list[str]:
    """The phases, for a running gunicorn of ``bench`` (bench/run.py's Bench): /health/, then the
    page signed out, then signed in, then (with ``threaded``, measure.seed_page(replies=2000)) the
    threaded article's page signed out. Returns the report's lines (also printed)."""

    gunicorn = next(s for s in bench.running if s.name.startswith("gunicorn"))
    celery = [s for s in bench.running if s.name.startswith("celery")]
    meter = CpuMeter(gunicorn, celery)
    run_async(
        run_pages(base_url=bench.base_url, path=seed.path, headers={}, clients=clients, seconds=2, name="warm-up")
    )
    health, _ = phase(meter, load.run_health(base_url=bench.base_url, clients=clients, seconds=seconds, name="health"))
    signed_out, cpu_out = phase(
        meter,
        run_pages(
            base_url=bench.base_url,
            path=seed.path,
            headers={},
            clients=clients,
            seconds=seconds,
            name="page, signed out",
        ),
    )
    signed_in, cpu_in = phase(
        meter,
        run_pages(
            base_url=bench.base_url,
            path=seed.path,
            headers=seed.reader_headers,
            clients=clients,
            seconds=seconds,
            name="page, signed in",
        ),
    )
    lines = page_lines(
        health_rate=health.rate,
        signed_out=signed_out,
        signed_in=signed_in,
        cpu_out=cpu_out,
        cpu_in=cpu_in,
        inprocess=inprocess_page_cpu(seed),
    )
    if threaded is not None:
        warm_up = run_pages(
            base_url=bench.base_url, path=threaded.path, headers={}, clients=clients, seconds=2, name="warm-up"
        )
        run_async(warm_up)
        threads_out, cpu_threads = phase(
            meter,
            run_pages(
                base_url=bench.base_url,
                path=threaded.path,
                headers={},
                clients=clients,
                seconds=seconds,
                name="page with threads, signed out",
            ),
        )
        lines += threaded_lines(
            health_rate=health.rate, signed_out=threads_out, cpu=cpu_threads, inprocess=inprocess_page_cpu(threaded)
        )
    for line in lines:
        print(line, flush=True)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32, help="concurrent page readers (and health clients)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument(
        "--shapes",
        default="3x1,3x8",
        help="gunicorn shapes to compare, workers x threads, comma-separated (e.g. 3x1,3x8)",
    )
    parser.add_argument(
        "--replies", type=int, default=2000, help="replies in the threaded variant's article (0: no variant)"
    )
    harness.add_database_options(parser)
    args = parser.parse_args()
    shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.shapes.split(",")]
    first = {"clients": 4, "comments": 20, "workers": shapes[0][0], "threads": shapes[0][1]}
    results = []
    with harness.standalone_bench(args, title="Article-page benchmark", **first) as bench:
        from bench import measure  # Django is set up now

        seed = measure.seed_page()
        threaded = measure.seed_page(replies=args.replies) if args.replies else None
        for workers, threads in shapes:
            bench.args.workers, bench.args.threads = workers, threads
            print(f"gunicorn {workers} workers x {threads} threads (gthread)", flush=True)
            gunicorn = bench.start_gunicorn(f"page-{workers}x{threads}")
            results.append(
                (
                    f"{workers}x{threads}",
                    page_phase(bench, seed=seed, clients=args.clients, seconds=args.seconds, threaded=threaded),
                )
            )
            bench.stop(gunicorn)
    print()
    for shape, lines in results:
        print(f"gunicorn {shape}:")
        for line in lines:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
