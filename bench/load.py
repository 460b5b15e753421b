"""The load generator: closed-loop clients on one asyncio loop (aiohttp, uvloop when present).

Each client sends a request, waits for the answer and sends the next one over its kept-alive
connection. The generator shares the machine's two cores with the server, so it is kept cheap:
requests are prebuilt bytes and only the vote answers' small JSON bodies are parsed, for the
state each voter needs to choose its next vote.
"""

import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

AGREE, DISAGREE = "agree", "disagree"


@dataclass
class Voter:
    """One reader: its credentials and what it last chose on each comment (from the answers)."""

    user_id: int
    headers: dict[str, str]
    choices: dict[int, str | None] = field(default_factory=dict)

    def next_choice(self, comment_id: int) -> str:
        # Always change the vote: switching back and forth is a real vote each time (the API is
        # idempotent, so repeating a choice would write nothing new).
        return DISAGREE if self.choices.get(comment_id) == AGREE else AGREE


class VoteEndpoint:
    """How a voter's vote is sent: as the page's script sends it (session + CSRF) or as an app
    does (a token); both PUT to the REST API, the one face a vote has for a script."""

    name = "abstract"

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def request(self, voter: Voter, comment_id: int, choice: str) -> tuple[str, str, dict, bytes]:
        raise NotImplementedError

    def choice_after(self, answer: bytes, sent: str) -> str | None:
        raise NotImplementedError


class PageVoteEndpoint(VoteEndpoint):
    """PUT /api/v1/comments/<id>/vote/ as the page's script sends it (static/js/api.js): the
    reader's session cookie and the CSRF token in X-CSRFToken."""

    name = "page: PUT /api/v1/comments/<id>/vote/ (session + CSRF)"

    def request(self, voter, comment_id, choice):
        headers = {**voter.headers, "Content-Type": "application/json"}
        return (
            "PUT",
            f"{self.base_url}/api/v1/comments/{comment_id}/vote/",
            headers,
            json.dumps({"choice": choice}).encode(),
        )

    def choice_after(self, answer, sent):
        return json.loads(answer)["my_vote"]


class ApiVoteEndpoint(VoteEndpoint):
    """PUT /api/v1/comments/<id>/vote/ with a token (idempotent)."""

    name = "API: PUT /api/v1/comments/<id>/vote/ (token)"

    def request(self, voter, comment_id, choice):
        headers = {**voter.headers, "Content-Type": "application/json"}
        return (
            "PUT",
            f"{self.base_url}/api/v1/comments/{comment_id}/vote/",
            headers,
            json.dumps({"choice": choice}).encode(),
        )

    def choice_after(self, answer, sent):
        return sent


@dataclass
class PhaseResult:
    name: str
    seconds: float
    ok: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    client_cpu_seconds: float = 0.0
    last_answer_wall: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def fail(self, reason: str) -> None:
        self.failures[reason] = self.failures.get(reason, 0) + 1


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation): p99 of 200 samples is the 198th smallest."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * fraction // 1)))
    return ordered[int(rank) - 1]


def new_session(connections: int, *, decompress: bool = True) -> aiohttp.ClientSession:
    """A session asking for compressed answers as browsers do (aiohttp sends Accept-Encoding:
    gzip, deflate). ``decompress=False`` leaves the bodies compressed: a phase that only counts
    answers then does not spend the load client's CPU, on the cores the server shares, inflating
    them (a browser's own CPU does that, not the server's)."""
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections, limit_per_host=connections, keepalive_timeout=25),
        cookie_jar=aiohttp.DummyCookieJar(),  # each request carries its voter's own cookies
        timeout=aiohttp.ClientTimeout(total=30),
        skip_auto_headers=("User-Agent",),
        auto_decompress=decompress,
    )


async def _closed_loop(session, deadline: float, result: PhaseResult, send) -> None:
    while True:
        started = time.perf_counter()
        if started >= deadline:
            return
        try:
            ok = await send(session)
        except (TimeoutError, aiohttp.ClientError) as error:
            result.fail(type(error).__name__)
            continue
        finished = time.perf_counter()
        if finished > deadline:
            return  # answered after the window closed: neither counted nor timed
        if ok is True:
            result.ok += 1
            result.latencies_ms.append((finished - started) * 1000)
            result.last_answer_wall = time.time()
        else:
            result.fail(ok)


async def run_health(*, base_url: str, clients: int, seconds: float, name: str) -> PhaseResult:
    """Closed-loop GET /health/: the cost of the stack itself, no database."""
    url = f"{base_url}/health/"

    async def send(session) -> bool | str:
        async with session.get(url) as response:
            await response.read()
            return True if response.status == 200 else f"HTTP {response.status}"

    return await run_clients(name, clients, seconds, lambda _: send)


async def run_votes(
    *,
    endpoint: VoteEndpoint,
    voters: list[Voter],
    pick_comment,
    seconds: float,
    name: str,
    extra=None,
) -> PhaseResult:
    """Each voter votes in a closed loop on the comment pick_comment(rng) chooses, changing its vote
    each time. ``extra`` coroutines (lag probes) run beside the voters until the window closes."""

    def sender_for(index: int):
        voter = voters[index]
        rng = random.Random(voter.user_id)

        async def send(session) -> bool | str:
            comment_id = pick_comment(rng)
            choice = voter.next_choice(comment_id)
            method, url, headers, body = endpoint.request(voter, comment_id, choice)
            async with session.request(method, url, headers=headers, data=body) as response:
                answer = await response.read()
                if response.status != 200:
                    return f"HTTP {response.status}"
            voter.choices[comment_id] = endpoint.choice_after(answer, choice)
            return True

        return send

    return await run_clients(name, len(voters), seconds, sender_for, extra=extra)


async def run_clients(
    name: str, clients: int, seconds: float, sender_for, extra=None, *, decompress: bool = True
) -> PhaseResult:
    result = PhaseResult(name=name, seconds=seconds)
    cpu_before = time.process_time()
    async with new_session(clients + 8, decompress=decompress) as session:
        deadline = time.perf_counter() + seconds
        tasks = [_closed_loop(session, deadline, result, sender_for(i)) for i in range(clients)]
        tasks += [coroutine(session, deadline) for coroutine in extra or ()]
        await asyncio.gather(*tasks)
    result.client_cpu_seconds = time.process_time() - cpu_before
    return result


# --- Tally lag ----------------------------------------------------------------------------------


@dataclass
class LagSamples:
    method: str
    lags_ms: list[float] = field(default_factory=list)
    # The same samples measured on the server's clock: from the answer to the tally that counted
    # the vote (its tallied_at). The rest of a lag is the poll's own wait in the server's queue.
    tally_ms: list[float] = field(default_factory=list)
    timeouts: int = 0
    polls: int = 0


POLL_INTERVAL = 0.025
LAG_TIMEOUT = 10.0


def tally_delay_ms(counts: dict, answered_wall: float) -> float:
    return (datetime.fromisoformat(counts["tallied_at"]).timestamp() - answered_wall) * 1000


def quiet_comment_prober(*, endpoint: VoteEndpoint, base_url: str, voter: Voter, comment_id: int, samples: LagSamples):
    """Votes on a comment nobody else votes on, so the counts it must see are known exactly
    (1 for the choice just made, 0 for the other); polls the counts until they show it."""

    async def probe(session, deadline: float) -> None:
        rng = random.Random(comment_id)
        counts_url = f"{base_url}/comments/{comment_id}/counts/"
        while time.perf_counter() < deadline - 1:
            choice = voter.next_choice(comment_id)
            method, url, headers, body = endpoint.request(voter, comment_id, choice)
            async with session.request(method, url, headers=headers, data=body) as response:
                answer = await response.read()
                answered, answered_wall = time.perf_counter(), time.time()
                if response.status != 200:
                    samples.timeouts += 1
                    await asyncio.sleep(0.5)
                    continue
            voter.choices[comment_id] = chosen = endpoint.choice_after(answer, choice)
            expected = {AGREE: int(chosen == AGREE), DISAGREE: int(chosen == DISAGREE)}
            while True:
                async with session.get(counts_url) as response:
                    counts = json.loads(await response.read())
                samples.polls += 1
                now = time.perf_counter()
                if counts[AGREE] == expected[AGREE] and counts[DISAGREE] == expected[DISAGREE]:
                    samples.lags_ms.append((now - answered) * 1000)
                    samples.tally_ms.append(tally_delay_ms(counts, answered_wall))
                    break
                if now - answered > LAG_TIMEOUT:
                    samples.timeouts += 1
                    break
                await asyncio.sleep(POLL_INTERVAL)
            await asyncio.sleep(rng.uniform(0.05, 0.15))

    return probe


def hot_comment_prober(*, endpoint: VoteEndpoint, base_url: str, voter: Voter, comment_id: int, samples: LagSamples):
    """Votes on the hot comment among everyone else, then polls until the comment's tallied_at
    (when the tally that last changed its counters locked the row and counted) passes the moment
    the answer arrived: that tally counted a snapshot taken after the vote committed."""

    async def probe(session, deadline: float) -> None:
        rng = random.Random(comment_id)
        counts_url = f"{base_url}/comments/{comment_id}/counts/"
        while time.perf_counter() < deadline - 1:
            choice = voter.next_choice(comment_id)
            method, url, headers, body = endpoint.request(voter, comment_id, choice)
            async with session.request(method, url, headers=headers, data=body) as response:
                answer = await response.read()
                answered, answered_wall = time.perf_counter(), time.time()
                if response.status != 200:
                    samples.timeouts += 1
                    await asyncio.sleep(0.5)
                    continue
            voter.choices[comment_id] = endpoint.choice_after(answer, choice)
            while True:
                async with session.get(counts_url) as response:
                    counts = json.loads(await response.read())
                samples.polls += 1
                now = time.perf_counter()
                tallied_at = counts["tallied_at"]
                if tallied_at and datetime.fromisoformat(tallied_at).timestamp() >= answered_wall:
                    samples.lags_ms.append((now - answered) * 1000)
                    samples.tally_ms.append(tally_delay_ms(counts, answered_wall))
                    break
                if now - answered > LAG_TIMEOUT:
                    samples.timeouts += 1
                    break
                await asyncio.sleep(POLL_INTERVAL)
            await asyncio.sleep(rng.uniform(0.05, 0.15))

    return probe
