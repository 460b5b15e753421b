"""Article bodies are Markdown; what reaches the page is rendered and then sanitised."""

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "blockquote",
    "a",
    "br",
    "hr",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def _external_if_scheme_relative(tag: str, attribute: str, value: str) -> str:
    """A link to ``//host/...`` (or ``/\\host``, ``\\\\host``: browsers read a backslash as a slash)
    leaves the site however it is written: it is given its scheme, so it reads as the external
    link it is to whoever checks the article, and to any code telling site paths by their "/"."""
    if tag == "a" and attribute == "href":
        # Browsers drop leading white space and control characters before reading a URL.
        unified = value.lstrip("".join(map(chr, range(0x21)))).replace("\\", "/")
        if unified.startswith("//"):
            return "https:" + unified
    return value


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to mark safe: scripts, handlers and styles are removed, and
    every link carries rel="noopener noreferrer nofollow"."""
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_external_if_scheme_relative,
    )
