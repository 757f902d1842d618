from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# The admin logs in through the same page as everyone else: throttled, with
# two-factor authentication.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:list", permanent=False)),
    # Claimbridge's own account routes first: they take precedence over
    # allauth's at the same paths (log-in answering 429, sessions, e-mail).
    path("accounts/", include("claimbridge.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("organisations/", include("claimbridge.organisations.urls")),
    path("cases/", include("claimbridge.cases.urls")),
    path("documents/", include("claimbridge.documents.urls")),
    path("tasks/", include("claimbridge.tasks.urls")),
    path("notifications/", include("claimbridge.notifications.urls")),
    path("admin/", admin.site.urls),
]

# django-allauth answers its rate limits with this view.
handler429 = "claimbridge.core.views.too_many_requests"
