from django.urls import path

from . import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("<int:task_id>/assign/", views.assign, name="assign"),
    path("<int:task_id>/postpone/", views.postpone, name="postpone"),
]
