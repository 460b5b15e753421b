from django.urls import path

from . import views

urlpatterns = [
    path("comments/<int:comment_id>/vote/", views.vote, name="vote"),
    path("comments/<int:comment_id>/counts/", views.counts, name="vote_counts"),
]
