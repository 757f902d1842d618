from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("mailbox/", views.mailbox, name="mailbox"),
]
