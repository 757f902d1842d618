from django.contrib import admin

from .models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "time_zone", "requires_two_factor"]
    list_filter = ["kind", "requires_two_factor"]
    search_fields = ["name"]
    inlines = [MembershipInline]
