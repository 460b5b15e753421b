from django.urls import path

from . import views

urlpatterns = [
    path("comments/<int:comment_id>/report/", views.report, name="report_comment"),
    path("accounts/comments/", views.my_comments, name="my_comments"),
]
