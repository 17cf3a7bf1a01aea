"""Django admin for HR: campaigns, shares and the verification trail.

Writes that carry rules (review decisions, policy changes) have their own pages
and services; here the audit models are read-only so the trail stays true."""

from django.contrib import admin

from .models import (
    Campaign,
    CampaignPost,
    OfficialAccount,
    PlatformPolicy,
    PlatformPolicyChange,
    ReviewDecision,
    Share,
    VerificationAttempt,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit trail: HR may look, not change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    list_display = ["title", "status", "starts_on", "ends_on", "created_by", "created_at"]
    list_filter = ["status", "starts_on", "posts__platform"]
    search_fields = ["title", "description", "posts__normalized_url"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["units"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [CampaignPostInline]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class VerificationAttemptInline(admin.TabularInline):
    model = VerificationAttempt
    extra = 0
    can_delete = False
    fields = ["started_at", "outcome", "http_status", "duration_ms", "url_fetched", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReviewDecisionInline(admin.TabularInline):
    model = ReviewDecision
    fk_name = "share"
    extra = 0
    can_delete = False
    fields = ["decided_at", "reviewer", "decision", "old_status", "new_status", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


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
    inlines = [VerificationAttemptInline, ReviewDecisionInline]

    def has_add_permission(self, request):
        return False  # shares are logged by staff (form, bookmarklet, API), checked by services


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnlyAdmin):
    list_display = ["share", "started_at", "outcome", "http_status", "duration_ms"]
    list_filter = ["outcome", "share__platform", "started_at"]
    search_fields = ["share__normalized_url", "share__staff__staff_id", "url_fetched", "reason"]
    list_select_related = ["share"]
    date_hierarchy = "started_at"


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = ["share", "decision", "old_status", "new_status", "reviewer", "decided_at"]
    list_filter = ["decision", "new_status", "decided_at"]
    search_fields = [
        "share__normalized_url",
        "share__staff__staff_id",
        "reviewer__staff_id",
        "reason",
    ]
    list_select_related = ["share", "reviewer"]
    date_hierarchy = "decided_at"


@admin.register(PlatformPolicy)
class PlatformPolicyAdmin(admin.ModelAdmin):
    """HR set each platform's verification policy here; every change is recorded."""

    list_display = ["platform", "policy", "sample_percent", "updated_by", "updated_at"]
    list_filter = ["policy"]
    search_fields = ["platform"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        # The admin wraps this in a transaction: the policy and its audit row go together.
        old = PlatformPolicy.objects.filter(pk=obj.pk).first() if change else None
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if old is None or (old.policy, old.sample_percent) != (obj.policy, obj.sample_percent):
            PlatformPolicyChange.objects.create(
                platform=obj.platform,
                old_policy=old.policy if old else "",
                old_sample_percent=old.sample_percent if old else None,
                new_policy=obj.policy,
                new_sample_percent=obj.sample_percent,
                changed_by=request.user,
            )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlatformPolicyChange)
class PlatformPolicyChangeAdmin(ReadOnlyAdmin):
    list_display = [
        "platform",
        "old_policy",
        "new_policy",
        "old_sample_percent",
        "new_sample_percent",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["platform", "new_policy"]
    search_fields = ["platform", "changed_by__staff_id"]
    date_hierarchy = "changed_at"
