"""Read-only views of the dashboard's derived counts and settings."""

from django.contrib import admin

from sharekpi.readonly_admin import ReadOnlyAdmin

from .models import CampaignStaffStat, DashboardSettings, ShareWeekStat


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
