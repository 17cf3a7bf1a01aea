"""Read-only views of scoring data: every change goes through the scoring
services (audited, validated, frozen years respected), never the admin."""

from django.contrib import admin

from .models import (
    CampaignStaffStat,
    DashboardSettings,
    KpiScore,
    SchemeChange,
    ScoringBand,
    ScoringScheme,
    ShareWeekStat,
    YearClose,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(ShareWeekStat)
class ShareWeekStatAdmin(ReadOnlyAdmin):
    """Derived counts: rebuilt by ``manage.py refresh_dashboard_stats``, never edited."""

    list_display = ["scope", "kpi_year", "week_start", "campaign", "platform", "pending",
                    "verified", "needs_review", "rejected", "removed"]  # fmt: skip
    list_filter = ["kpi_year", "platform"]
    list_select_related = ["campaign"]


@admin.register(CampaignStaffStat)
class CampaignStaffStatAdmin(ReadOnlyAdmin):
    list_display = ["scope", "campaign", "shared_staff", "verified_staff"]
    list_select_related = ["campaign"]


@admin.register(DashboardSettings)
class DashboardSettingsAdmin(ReadOnlyAdmin):
    """Changed on the dashboard itself (HR), where the change is recorded."""

    list_display = ["leaderboard_enabled", "updated_by", "updated_at", "stats_refreshed_at"]
