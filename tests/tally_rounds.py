"""Run the tally round that votes scheduled, in the test's own process."""

from infra.redis_clients import forum_redis
from votes import tasks
from votes.coalescing import key


def run_scheduled_round() -> int:
    """Run the round the votes scheduled, with its token, as a worker would on receiving its
    message (the message itself stays queued: no worker consumes it in these tests). With no round
    scheduled this is beat's sweep. Returns how many comments were tallied."""
    token = forum_redis().get(key("scheduled"))
    return tasks.tally_dirty_comments.apply(kwargs={"round_token": token}, throw=True).get()
