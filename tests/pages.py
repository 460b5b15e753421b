"""Reading rendered pages in tests."""

import re

_LI = re.compile(r"<li\b|</li>")


def comment_markup(page: str, comment_id: int) -> str:
    """Comment ``comment_id``'s <li> in the page, from its start tag to its own end tag (replies
    nested inside it included)."""
    start = page.index(f'id="comment-{comment_id}"')
    start = page.rindex("<li", 0, start)
    depth = 0
    for tag in _LI.finditer(page, start):
        depth += 1 if tag.group() == "<li" else -1
        if depth == 0:
            return page[start : tag.end()]
    raise ValueError(f"comment {comment_id}'s <li> is not closed")
