"""Read-only views of scoring data: every change goes through the scoring
services (audited, validated, frozen years respected), never the admin."""

from django.contrib import admin

from sharekpi.readonly_admin import ReadOnlyAdmin

from .models import KpiScore, SchemeChange, ScoringBand, ScoringScheme, YearClose


class ScoringBandInline(admin.TabularInline):
    model = ScoringBand
    fields = ["min_shares", "max_shares", "points"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoringScheme)
class ScoringSchemeAdmin(ReadOnlyAdmin):
    list_display = ["year", "version", "updated_by", "updated_at"]
    inlines = [ScoringBandInline]


@admin.register(SchemeChange)
class SchemeChangeAdmin(ReadOnlyAdmin):
    list_display = ["year", "version", "changed_by", "changed_at"]
    list_filter = ["year"]


@admin.register(KpiScore)
class KpiScoreAdmin(ReadOnlyAdmin):
    list_display = ["user", "year", "verified_shares", "points", "scheme_version", "computed_at"]
    list_filter = ["year", "points"]
    search_fields = ["user__staff_id", "user__full_name"]
    list_select_related = ["user"]


@admin.register(YearClose)
class YearCloseAdmin(ReadOnlyAdmin):
    list_display = ["year", "closed_by", "closed_at", "reopened_by", "reopened_at"]
