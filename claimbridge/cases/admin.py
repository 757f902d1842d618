from django.contrib import admin

from .models import Case, ClaimLine


class ClaimLineInline(admin.TabularInline):
    model = ClaimLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "debtor_name",
        "client",
        "partner",
        "status",
        "last_activity_at",
    ]
    list_filter = ["status"]
    search_fields = ["debtor_name", "client_reference"]
    list_select_related = ["client", "partner"]
    # Status moves only through cases.services.change_case_status.
    readonly_fields = [
        "status",
        "close_code",
        "closed_on",
        "merged_into",
        "total_principal",
    ]
    inlines = [ClaimLineInline]
