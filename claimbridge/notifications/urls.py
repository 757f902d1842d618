from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("failed/", views.failed_list, name="failed"),
    path("failed/<int:notification_id>/resend/", views.resend, name="resend"),
    path("mailbox/", views.mailbox, name="mailbox"),
]
