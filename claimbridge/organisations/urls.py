from django.urls import path

from . import views

app_name = "organisations"
urlpatterns = [
    path("switch/", views.switch, name="switch"),
    path("security/", views.security_settings, name="security"),
    path("security/log/", views.security_log, name="security_log"),
]
