from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list", permanent=False)),
    path("accounts/", include("claimbridge.accounts.urls")),
    path("organisations/", include("claimbridge.organisations.urls")),
    path("cases/", include("claimbridge.cases.urls")),
    path("documents/", include("claimbridge.documents.urls")),
    path("tasks/", include("claimbridge.tasks.urls")),
    path("notifications/", include("claimbridge.notifications.urls")),
    path("admin/", admin.site.urls),
]
