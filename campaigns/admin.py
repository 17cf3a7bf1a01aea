"""Django admin for HR: official accounts, campaigns and shares (verification.admin
adds each share's attempts and review decisions)."""

from django.contrib import admin

from . import services
from .models import Campaign, CampaignPost, ManagerCampaignRight, OfficialAccount, Share
from .signals import campaign_counting_changed


@admin.register(OfficialAccount)
class OfficialAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "handle", "profile_url", "updated_at"]
    list_filter = ["platform"]
    search_fields = ["name", "handle", "profile_url"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class CampaignPostInline(admin.TabularInline):
    model = CampaignPost
    extra = 0
    fields = ["platform", "url", "normalized_url", "official_account"]
    autocomplete_fields = ["official_account"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "counts_for_kpi",
        "starts_on",
        "ends_on",
        "created_by",
        "created_at",
    ]
    list_filter = ["status", "counts_for_kpi", "starts_on", "posts__platform"]
    search_fields = ["title", "description", "posts__normalized_url"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["units"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [CampaignPostInline]

    def save_model(self, request, obj, form, change):
        # The admin wraps the whole form in one transaction: the change and its audit
        # entry (written in save_related, once the units and posts are saved) go together.
        request._campaign_before = (
            services.campaign_record(Campaign.objects.get(pk=obj.pk)) if change else None
        )
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = request._campaign_before
        services.record_campaign_change(actor=request.user, campaign=form.instance, before=before)
        if before is not None and before["counts_for_kpi"] != form.instance.counts_for_kpi:
            campaign_counting_changed.send(sender=Campaign, campaign=form.instance)


@admin.register(ManagerCampaignRight)
class ManagerCampaignRightAdmin(admin.ModelAdmin):
    """HR switches department campaigns off (or on again) for a unit and the units below."""

    list_display = ["unit", "managers_may_campaign", "updated_by", "updated_at"]
    list_filter = ["managers_may_campaign"]
    search_fields = ["unit__path"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        services.set_manager_campaign_right(
            actor=request.user, unit=obj.unit, allowed=obj.managers_may_campaign
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # switch it on again instead: the change is audited


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["staff", "campaign", "platform", "status", "source", "submitted_at"]
    list_filter = ["status", "platform", "source", "campaign__status", "submitted_at"]
    search_fields = [
        "normalized_url",
        "url",
        "staff__staff_id",
        "staff__full_name",
        "staff__email",
        "campaign__title",
    ]
    list_select_related = ["staff", "campaign"]
    date_hierarchy = "submitted_at"
    autocomplete_fields = ["staff"]
    raw_id_fields = ["campaign"]
    # Status changes go through verification and the review queue (audited), not here.
    readonly_fields = [
        "status",
        "status_reason",
        "status_code",
        "status_params",
        "normalized_url",
        "short_url",
        "platform",
        "post_id",
        "author_handle",
        "verified_at",
        "last_checked_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False  # shares are logged by staff (form, bookmarklet, API), checked by services
