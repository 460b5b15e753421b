from django.conf import settings
from django.urls import path, re_path

from . import views
from .feeds import ArticleFeed

# The article in one of its languages, whatever the reader reads the site in: /articles/<slug>/ja/.
LANGUAGE_PART = "|".join(code for code, _name in settings.LANGUAGES)

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    re_path(
        rf"^articles/(?P<slug>[-a-zA-Z0-9_]+)/(?P<language>{LANGUAGE_PART})/$",
        views.article_detail,
        name="article_in_language",
    ),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("articles/<int:article_id>/live/", views.live, name="article_live"),
    path("comments/<int:comment_id>/", views.comment_permalink, name="comment"),
    path("comments/<int:comment_id>/thread/", views.comment_thread, name="comment_thread"),
    path("comments/<int:comment_id>/reply/", views.reply, name="reply"),
    path("comments/<int:comment_id>/edit/", views.edit_comment, name="edit_comment"),
    path("comments/<int:comment_id>/delete/", views.delete_comment, name="delete_comment"),
    path("comments/<int:comment_id>/mute/", views.mute_comment_author, name="mute_comment_author"),
    path("comments/<int:comment_id>/unmute/", views.unmute_comment_author, name="unmute_comment_author"),
    path("my/votes/", views.my_votes, name="my_votes"),
    path("my/mutes/", views.my_mutes, name="my_mutes"),
    path("my/mutes/<int:mute_id>/unmute/", views.unmute, name="unmute"),
    path("feeds/articles/", ArticleFeed(), name="article_feed"),
]
