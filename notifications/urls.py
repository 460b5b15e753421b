from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
    path("notifications/read/", views.mark_all_read, name="notifications_mark_all_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
