"""Scores stored on each comment so that every sort reads an indexed column."""

import math

# 95% confidence, the usual choice for ranking by the Wilson interval.
Z = 1.96


def wilson_lower_bound(positive: int, total: int) -> float:
    """Lower bound of the Wilson score interval for positive/total: 'best' without small-sample luck."""
    if total <= 0:
        return 0.0
    phat = positive / total
    z2 = Z * Z
    centre = phat + z2 / (2 * total)
    margin = Z * math.sqrt((phat * (1 - phat) + z2 / (4 * total)) / total)
    return (centre - margin) / (1 + z2 / total)


def controversy(agree: int, disagree: int) -> float:
    """Many votes, evenly split: the vote total raised to the balance between the two sides."""
    if agree <= 0 or disagree <= 0:
        return 0.0
    balance = min(agree, disagree) / max(agree, disagree)
    return float((agree + disagree) ** balance)


def common_ground(*, agree_japan: int, disagree_japan: int, agree_world: int, disagree_world: int) -> float:
    """High only when readers in Japan and readers elsewhere both agree: the lower group's bound."""
    return min(
        wilson_lower_bound(agree_japan, agree_japan + disagree_japan),
        wilson_lower_bound(agree_world, agree_world + disagree_world),
    )
