from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


def _is_public(status: str, published_at) -> bool:
    return status == Article.Status.PUBLISHED and published_at is not None and published_at <= timezone.now()


@dataclass(frozen=True)
class ArticleText:
    """The article in one language: what its page and the API show of it."""

    language: str
    title: str
    body_html: str
    discussion_prompt: str
    is_original: bool


class Article(models.Model):
    # The language the newsroom writes articles in; a Japanese version may sit beside it.
    ORIGINAL_LANGUAGE = "en"
    JAPANESE = "ja"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    dateline = models.DateField(_("dateline"))
    body = models.TextField(_("body"), help_text=_("Markdown: ## for subheadings, - for bullet lists."))
    body_html = models.TextField(_("body as HTML"), editable=False, default="")
    discussion_prompt = models.TextField(_("discussion prompt"), blank=True)
    # The Japanese version, beside the English original: shown to readers who read the site in
    # Japanese once it has a title and a body (is_translated); the original stays a link away.
    title_ja = models.CharField(_("title in Japanese"), max_length=200, blank=True)
    body_ja = models.TextField(
        _("body in Japanese"), blank=True, help_text=_("Markdown, as for the body. Leave empty if there is none.")
    )
    body_ja_html = models.TextField(editable=False, default="")
    discussion_prompt_ja = models.TextField(_("discussion prompt in Japanese"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    comments_open = models.BooleanField(_("comments open"), default=True)
    # Each section closes on its own too; comments_open closes both.
    japan_open = models.BooleanField(_("“Reactions in Japan” open"), default=True)
    world_open = models.BooleanField(_("“Voices from Around the World” open"), default=True)
    # When the timed closing (FORUM_COMMENTS_CLOSE_AFTER_DAYS) closed the comments: it does so
    # once, so a moderator who reopens them afterwards is not overruled by the next run.
    comments_auto_closed_at = models.DateTimeField(
        _("comments closed by time at"), null=True, blank=True, editable=False
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The title and slug the article last had while readers could see it (empty: never seen).
    # What a reader's own pages and export name an article that is no longer published: a draft's
    # later title was never public, and must not reach readers through their comments.
    last_public_title = models.CharField(_("last public title"), max_length=200, blank=True, default="", editable=False)
    last_public_slug = models.SlugField(_("last public slug"), max_length=200, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_published_idx")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The sanitised HTML is derived from the Markdown on every save, whoever saves.
        self.body_html = render_markdown(self.body)
        self.body_ja_html = render_markdown(self.body_ja) if self.body_ja.strip() else ""
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self._keep_public_heading()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "body_html",
                "body_ja_html",
                "published_at",
                "last_public_title",
                "last_public_slug",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"slug": self.slug})

    def clean(self) -> None:
        # Half a translation would show Japanese readers an English title over a Japanese body.
        if bool(self.title_ja.strip()) != bool(self.body_ja.strip()):
            missing = "body_ja" if self.title_ja.strip() else "title_ja"
            raise ValidationError(
                {missing: _("A Japanese version needs both a title and a body (or neither).")}, code="incomplete"
            )

    def get_language_url(self, language: str) -> str:
        """The address of the article in one language, whatever the reader reads the site in."""
        return reverse("article_in_language", kwargs={"slug": self.slug, "language": language})

    @property
    def is_translated(self) -> bool:
        """Whether the article has a Japanese version to show."""
        return bool(self.title_ja.strip() and self.body_ja.strip())

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the article can be read in, the original first."""
        return (self.ORIGINAL_LANGUAGE, self.JAPANESE) if self.is_translated else (self.ORIGINAL_LANGUAGE,)

    def text_in(self, language: str | None) -> ArticleText:
        """The article in ``language`` when it has that version, else the original."""
        if language == self.JAPANESE and self.is_translated:
            return ArticleText(
                language=self.JAPANESE,
                title=self.title_ja,
                body_html=self.body_ja_html,
                discussion_prompt=self.discussion_prompt_ja or self.discussion_prompt,
                is_original=False,
            )
        return ArticleText(
            language=self.ORIGINAL_LANGUAGE,
            title=self.title,
            body_html=self.body_html,
            discussion_prompt=self.discussion_prompt,
            is_original=True,
        )

    def _keep_public_heading(self) -> None:
        """Note the title and slug readers can see: this save's when it leaves the article public,
        else the stored row's when that was public until now (an article that went public at its
        scheduled time was not saved then). A title given while it is not public is never noted."""
        if self.is_public:
            self.last_public_title, self.last_public_slug = self.title, self.slug
            return
        if self.pk is None:
            return
        stored = Article.objects.filter(pk=self.pk).values("status", "published_at", "title", "slug").first()
        if stored is not None and _is_public(stored["status"], stored["published_at"]):
            self.last_public_title, self.last_public_slug = stored["title"], stored["slug"]

    @property
    def is_public(self) -> bool:
        """Readers can see it now: published, and its publication time has come (as
        ArticleQuerySet.published says)."""
        return _is_public(self.status, self.published_at)

    @property
    def public_title(self) -> str:
        """The title as readers may be shown it: the current one while the article is public,
        else the last one it had while public ("" if it never was)."""
        return self.title if self.is_public else self.last_public_title

    @property
    def public_slug(self) -> str:
        """The slug as readers may be shown it (see public_title)."""
        return self.slug if self.is_public else self.last_public_slug

    @property
    def discussion_open(self) -> bool:
        """Readers may comment and vote: the article is published and its comments are not closed."""
        return self.status == self.Status.PUBLISHED and self.comments_open

    def section_open(self, section: str) -> bool:
        """Readers may comment and vote in this section: the discussion is open and the
        section is not closed on its own."""
        return self.discussion_open and bool(getattr(self, f"{section}_open", False))


class Section(models.TextChoices):
    JAPAN = "japan", _("Reactions in Japan")
    WORLD = "world", _("Voices from Around the World")

    @property
    def signs_comments(self) -> bool:
        """Whether a comment posted here names its author to every reader (Comment.signed)."""
        return self == Section.WORLD


class CommentQuerySet(models.QuerySet):
    def visible(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.VISIBLE)

    def top_level(self) -> "CommentQuerySet":
        """Comments that start a thread, not replies: what the sections list and the sorts order."""
        return self.filter(parent__isnull=True)

    def readable(self, *, article: "Article | int | None" = None) -> "CommentQuerySet":
        """Comments that may be read, voted on, edited or deleted: visible, under an article that is
        published now, and (a reply) in the thread of a visible comment. An article sent back to
        draft takes its comments with it (ids are sequential, so a comment must not outlive its
        article by id); a thread's parent hidden, held or pending takes its replies out of view
        until a moderator shows it again (see thread_readable).

        With ``article``, only that article's comments, and the threads' parents are read once for
        the whole query: what a scan of a whole article (its totals, the perception gap) should
        ask, ~10x cheaper there than a lookup per reply."""
        rows = self.visible().filter(
            article__status=Article.Status.PUBLISHED, article__published_at__lte=timezone.now()
        )
        if article is not None:
            rows = rows.filter(article=article)
        return rows.filter(thread_readable(article=article))

    def placeholders(self) -> "CommentQuerySet":
        """Comments taken back while they had replies (Comment.is_placeholder)."""
        return self.filter(deleted_at__isnull=False)


def thread_readable(*, article: "Article | int | None" = None) -> Q:
    """A top-level comment, or a reply whose thread's parent is visible.

    The sorts' partial indexes imply ``parent_id IS NULL``, so PostgreSQL drops the whole
    condition from a top-level query: the sorts cost what they did. For a reply, the parent's
    status is a scalar subquery on its primary key (not a join, which hashes the whole table, nor
    EXISTS, which PostgreSQL may turn into a hash of every visible comment): one probe per reply.
    Within one ``article``, the article's visible threads are read once instead (a hashed
    subquery over the newest sort's partial index)."""
    if article is not None:
        threads = Comment.objects.filter(article=article, parent__isnull=True, status=Comment.Status.VISIBLE)
        return Q(parent__isnull=True) | Q(parent__in=threads.order_by().values("pk"))
    parent_status = models.Subquery(Comment.objects.filter(pk=models.OuterRef("parent_id")).order_by().values("status"))
    return Q(parent__isnull=True) | Q(Exact(parent_status, Comment.Status.VISIBLE))


def _sort_index(name: str, *fields: str) -> models.Index:
    # Sorts read stored columns through a partial index per order: visible top-level comments of
    # one article's section, in that order, with the id as the tie-breaker cursors rely on (the
    # sorts order threads, not replies: a thread's replies run oldest first, comment_thread_idx).
    return models.Index(
        fields=["article", "section", *fields, "-id"], condition=Q(status="visible", parent__isnull=True), name=name
    )


# What the vote tally (votes.counting) derives from the vote rows and nothing else writes: the
# counts shown beside each comment, split by the voters' region, and the scores the sorts read.
COUNT_FIELDS = (
    "agree_count",
    "disagree_count",
    "agree_japan_count",
    "agree_world_count",
    "disagree_japan_count",
    "disagree_world_count",
)
SCORE_FIELDS = ("best_score", "controversy_score", "common_ground_score")
COUNTER_FIELDS = (*COUNT_FIELDS, *SCORE_FIELDS)


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        # Out of view, awaiting a moderator's decision: held after enough reader reports, or
        # pending from a pre-moderated author or a suspect word (see the moderation app).
        HELD = "held", _("Held for review")
        PENDING = "pending", _("Pending approval")
        HIDDEN = "hidden", _("Hidden")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("article"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments", verbose_name=_("author")
    )
    section = models.CharField(_("section"), max_length=10, choices=Section.choices)
    # Whether readers other than its author (and moderators) see who wrote it: set when it is
    # posted, from its section (voices from the world are signed, reactions in Japan are not).
    # Never turned on afterwards: a moderator moving a reaction to the world does not sign it,
    # since its author never agreed to be named. forum.selectors.shown_author reads it.
    signed = models.BooleanField(_("signed"), default=False, editable=False)
    # Signed because its author held a badge (accounts.Badge) they had agreed to sign with when it
    # was posted: the one way a top-level reaction in Japan is signed (forum_comment_japan_unsigned).
    # Kept as posted, like ``signed``: a badge given or removed later changes neither. db_default:
    # processes still running the previous release insert comments without it.
    signed_by_badge = models.BooleanField(_("signed with a badge"), default=False, db_default=False, editable=False)
    body = models.TextField(_("comment"))
    # The language the comment is written in, for its lang attribute (screen readers' voices,
    # fonts): detected when posted (forum.languages), correctable by its author.
    # db_default: processes still running the previous release insert comments without it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en", db_default="en")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    # Set for good once staff change what a reader wrote or whose comment it is: readers are told.
    edited_by_moderator = models.BooleanField(_("edited by a moderator"), default=False, editable=False)
    # Set by the vote tally when a burst of votes from young accounts looks like manipulation;
    # the comment stays in view and waits in the moderation queue until a moderator decides.
    unusual_voting_at = models.DateTimeField(_("unusual voting flagged at"), null=True, blank=True, editable=False)

    # COUNTER_FIELDS: derived from the vote rows by votes.counting; never incremented in place.
    agree_count = models.PositiveIntegerField(_("agree count"), default=0)
    disagree_count = models.PositiveIntegerField(_("disagree count"), default=0)
    agree_japan_count = models.PositiveIntegerField(_("agree count from Japan"), default=0)
    agree_world_count = models.PositiveIntegerField(_("agree count from the world"), default=0)
    disagree_japan_count = models.PositiveIntegerField(_("disagree count from Japan"), default=0)
    disagree_world_count = models.PositiveIntegerField(_("disagree count from the world"), default=0)
    best_score = models.FloatField(_("best score"), default=0)
    controversy_score = models.FloatField(_("controversy score"), default=0)
    common_ground_score = models.FloatField(_("common ground score"), default=0)
    tallied_at = models.DateTimeField(_("tallied at"), null=True, blank=True, editable=False)

    # A reply belongs to one top-level comment's thread (one level deep, as on Yahoo!ニュース):
    # ``parent`` is that top-level comment, never a reply. A reply to a reply joins the same thread
    # and names the reply it answers in ``reply_to`` (the parent itself when it answers the
    # thread). A thread lives in its parent's section, whoever replies (see
    # forum.services.section_for_new_comment); whether a reply is signed follows its author.
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("thread of"),
    )
    reply_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,  # the reply it answered was removed: the reply stays in its thread
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in reply to"),
    )

    # Taken back by its author (or with their account) while it had replies: the row stays as a
    # placeholder (「このコメントは削除されました」) so that its replies keep their context; its text
    # is cleared, and it takes no votes, edits or replies. Without replies a comment is deleted.
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)

    # An editors' pick (編集部ピックアップ): set by a moderator (moderation audits it), shown at
    # the top of its section. picked_at is None when the comment is not a pick.
    picked_at = models.DateTimeField(_("picked by the editors at"), null=True, blank=True, editable=False)
    # db_default: inserts that name only the columns they fill (load_scale, older processes).
    pick_note = models.CharField(_("editors' note"), max_length=200, blank=True, default="", db_default="")
    picked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("picked by"),
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            _sort_index("comment_newest_idx", "-created_at"),
            _sort_index("comment_agreed_idx", "-agree_count"),
            _sort_index("comment_disagreed_idx", "-disagree_count"),
            _sort_index("comment_best_idx", "-best_score"),
            _sort_index("comment_controversial_idx", "-controversy_score"),
            _sort_index("comment_common_ground_idx", "-common_ground_score"),
            # A thread's replies, oldest first (threads run in the order they were written).
            models.Index(
                fields=["parent", "created_at", "id"], condition=Q(status="visible"), name="comment_thread_idx"
            ),
        ]
        constraints = [
            # Top-level reactions in Japan name nobody, whoever moved or saved them there, unless
            # their author posted them with a badge they agreed to sign with (signed_by_badge). A
            # reply in their threads is signed when its author lives elsewhere (signs_new_comment).
            models.CheckConstraint(
                condition=~Q(section=Section.JAPAN, signed=True, parent__isnull=True, signed_by_badge=False),
                name="forum_comment_japan_unsigned",
            ),
            # One level deep: a thread's parent is a top-level comment (services keep it so; a
            # reply never lists itself).
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="forum_comment_not_own_parent"),
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        # Picking a comment as an editors' pick (moderation.picks); the Moderators group has it.
        permissions = [("pick_comment", _("Can pick editors' picks"))]

    def __str__(self) -> str:
        # No words, only names and punctuation: the audit trail stores this as the comment read
        # when it was acted on (moderation.audit), and every moderator reads it in their language.
        return f"{self.author} · {self.article}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        """The comment's permalink: it leads to the page of the article that shows it."""
        return reverse("comment", kwargs={"comment_id": self.pk})

    @property
    def is_edited(self) -> bool:
        return self.edited_at is not None

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    @property
    def is_placeholder(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_pick(self) -> bool:
        return self.picked_at is not None


class CommentRevision(models.Model):
    """A comment's text as it was before one edit: written in the same transaction as the edit
    (forum.services.edit_comment, save_comment_in_admin). Moderators read them on the comment's
    admin page; readers only see that a comment was edited. They go with the comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("comment"))
    body = models.TextField(_("earlier text"))
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # When this text was replaced, and by whom: the author, or staff rewriting it (by_moderator).
    edited_at = models.DateTimeField(_("replaced at"), default=timezone.now)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,  # a moderator leaving does not erase what the reader wrote
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaced by"),
    )
    by_moderator = models.BooleanField(_("by a moderator"), default=False)

    class Meta:
        ordering = ["-edited_at", "-id"]
        indexes = [models.Index(fields=["comment", "-edited_at"], name="comment_revision_idx")]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self) -> str:
        return f"{self.comment_id} · {self.edited_at:%Y-%m-%d %H:%M}"
