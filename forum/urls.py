from django.urls import path

from . import views
from .feeds import ArticleFeed

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path("feeds/articles/", ArticleFeed(), name="article_feed"),
]
