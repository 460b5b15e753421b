"""The demo article, its Japanese version, its 35 comments and a few threads of replies between
Japan and the world (forum/demo/rare-earths-article.json), loaded idempotently.

The article is published when it is first loaded, not on its dateline: the timed closing
(moderation/closing.py) closes discussions FORUM_COMMENTS_CLOSE_AFTER_DAYS after publication, and a
demo dated months back would close on beat's first run, minutes after a newcomer's first `make run`.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import JAPAN, User

from . import caching, services
from .languages import detect_language
from .models import Article, Comment, Section

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "rare-earths-article.json"
BULLET = re.compile(r"^\s*[•·*-]\s+")
NUMBERED_HEADING = re.compile(r"^\d+\.\s+\S")
COMMENT_SPACING = timedelta(minutes=1)


def seed_text_to_markdown(text: str) -> str:
    """The seed's plain text to Markdown: short lines without final punctuation are subheadings
    (numbered ones one level down), lines starting with a bullet become a list."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.splitlines() if line.strip()]
        if all(BULLET.match(line) for line in lines):
            blocks.append("\n".join("- " + BULLET.sub("", line).strip() for line in lines))
        elif len(lines) == 1 and _is_heading(lines[0].strip()):
            line = lines[0].strip()
            blocks.append(("### " if NUMBERED_HEADING.match(line) else "## ") + line)
        else:
            blocks.append(" ".join(line.strip() for line in lines))
    return "\n\n".join(blocks) + "\n"


# How a line of prose ends, in English and in Japanese; a short line ending otherwise is a heading.
SENTENCE_ENDINGS = (".", ":", "?", "!", '"', "”", ",", "。", "：", "？", "！", "」", "、")


def _is_heading(line: str) -> bool:
    return len(line) <= 90 and not line.endswith(SENTENCE_ENDINGS)


@dataclass(frozen=True)
class DemoResult:
    article: Article
    created_comments: int


@transaction.atomic
def load_demo(path: Path = DEMO_FILE) -> DemoResult:
    """Create the demo article, its readers and comments. Running it again creates nothing new."""
    data = json.loads(path.read_text(encoding="utf-8"))
    seed = data["article"]
    dateline = date.fromisoformat(seed["dateline"])
    comment_count = len(data["comments"]) + len(data.get("replies", []))
    # Published at loading, its comments then its replies a minute apart up to now: the whole
    # window is ahead.
    published_at = timezone.now() - COMMENT_SPACING * (comment_count + 1)
    japanese = {
        "title_ja": seed["title_ja"],
        "body_ja": seed_text_to_markdown(seed["body_text_ja"]),
        "discussion_prompt_ja": seed["discussion_prompt_ja"],
    }
    article, created_article = Article.objects.get_or_create(
        slug=slugify(seed["title"]),
        defaults={
            "title": seed["title"],
            "dateline": dateline,
            "body": seed_text_to_markdown(seed["body_text"]),
            "discussion_prompt": seed["discussion_prompt"],
            "status": Article.Status.PUBLISHED,
            "published_at": published_at,
            **japanese,
        },
    )
    if not created_article and not article.is_translated:
        # A demo loaded before the article had a Japanese version gets it; an edited one is kept.
        for field, value in japanese.items():
            setattr(article, field, value)
        article.save(update_fields=list(japanese))
    created = 0
    japan_number = 0
    comments: list[Comment] = []
    world_readers: dict[str, User] = {}
    for position, item in enumerate(data["comments"]):
        if item["section"] == Section.JAPAN:
            japan_number += 1
            author = _japan_reader(japan_number)
        else:
            author = _demo_reader("demo-" + slugify(item["author_name"]), item["author_name"], item.get("country", ""))
            world_readers[item["author_name"]] = author
        # Spaced apart in the seed's order, so "newest" keeps a stable order.
        posted = article.published_at + COMMENT_SPACING * (position + 1)
        comment, was_created = Comment.objects.get_or_create(
            article=article,
            author=author,
            body=item["body"],
            defaults={
                "section": item["section"],
                "language": detect_language(item["body"]),
                "signed": Section(item["section"]).signs_comments,
                "created_at": posted,
            },
        )
        comments.append(comment)
        created += was_created
    replies: list[Comment] = []
    for position, item in enumerate(data.get("replies", []), start=len(comments)):
        answered = comments[item["answering"]] if "answering" in item else replies[item["answering_reply"]]
        author = _japan_reader(item["japan_reader"]) if "japan_reader" in item else world_readers[item["author_name"]]
        # Placed by post_comment's own rules (its refusals and screens are not for the demo).
        parent, reply_to = services.thread_of(answered)
        reply, was_created = Comment.objects.get_or_create(
            article=article,
            author=author,
            body=item["body"],
            defaults={
                "section": services.section_for_new_comment(author=author, parent=parent),
                "parent": parent,
                "reply_to": reply_to,
                "language": detect_language(item["body"]),
                "signed": services.signs_new_comment(author=author),
                "created_at": article.published_at + COMMENT_SPACING * (position + 1),
            },
        )
        replies.append(reply)
        created += was_created
    if created:
        caching.bump_article_version(article.pk)
    return DemoResult(article=article, created_comments=created)


def _japan_reader(number: int) -> User:
    """The demo's n-th reader in Japan (from 1): the author of the n-th Japan comment."""
    return _demo_reader(f"demo-japan-{number:02d}", display_name="", country=JAPAN)


def _demo_reader(username: str, display_name: str, country: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, "country": country}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
