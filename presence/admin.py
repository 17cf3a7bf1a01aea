"""Django admin for social presence: HR may look; the changes go through the pages
(required platforms, must-follow accounts, spot checks) so that each is audited.
(presence-core's models; follower snapshots, API keys and drives have their own.)"""

from django.contrib import admin

from sharekpi.readonly_admin import ReadOnlyAdmin

from .models import FollowConfirmation, FollowRequirement, RequiredPlatforms, SpotCheck


@admin.register(RequiredPlatforms)
class RequiredPlatformsAdmin(ReadOnlyAdmin):
    list_display = ["unit", "platforms", "updated_by", "updated_at"]
    search_fields = ["unit__path"]
    list_select_related = ["unit", "updated_by"]


@admin.register(FollowRequirement)
class FollowRequirementAdmin(ReadOnlyAdmin):
    list_display = ["official_account", "must_follow", "created_at", "updated_at"]
    list_filter = ["must_follow"]
    filter_horizontal = ["units"]
    list_select_related = ["official_account"]


@admin.register(FollowConfirmation)
class FollowConfirmationAdmin(ReadOnlyAdmin):
    list_display = ["user", "official_account", "following", "confirmed_at", "withdrawn_at"]
    list_filter = ["following", "official_account"]
    search_fields = ["user__staff_id", "user__full_name"]
    list_select_related = ["user", "official_account"]
    date_hierarchy = "confirmed_at"


@admin.register(SpotCheck)
class SpotCheckAdmin(ReadOnlyAdmin):
    list_display = ["month", "kind", "user", "official_account", "result", "checked_by"]
    list_filter = ["kind", "result", "month"]
    search_fields = ["user__staff_id", "user__full_name", "note"]
    list_select_related = ["user", "official_account", "checked_by"]


from . import growth_admin  # noqa: E402, F401  (follower snapshots, API keys, drives)
