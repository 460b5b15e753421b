"""The Atom feed of published articles (/feeds/articles/), announced in base.html."""

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Article

FEED_SIZE = 30


class ArticleFeed(Feed):
    feed_type = Atom1Feed
    title = _("News Forum: latest articles")
    subtitle = _("New articles to discuss, with reactions from Japan and voices from around the world.")
    link = reverse_lazy("home")
    feed_url = reverse_lazy("article_feed")

    def items(self) -> list[Article]:
        # Only published articles (drafts and future publications never appear); newest first.
        fields = ("title", "slug", "body_html", "published_at", "updated_at")
        return list(selectors.published_articles().only(*fields)[:FEED_SIZE])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.body_html  # sanitised when saved (forum.markdown)

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Article) -> datetime | None:
        return item.updated_at
