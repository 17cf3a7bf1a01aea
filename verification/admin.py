"""Django admin for HR: the verification trail (read-only, so it stays true) and the
platform policies (changed through verification.policies, so each change is recorded)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigns.admin import ShareAdmin as CampaignShareAdmin
from campaigns.models import Share
from sharekpi.readonly_admin import ReadOnlyAdmin

from . import policies
from .models import (
    Appeal,
    PlatformPolicy,
    PlatformPolicyChange,
    ReviewDecision,
    VerificationAttempt,
)


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


admin.site.unregister(Share)


@admin.register(Share)
class ShareAdmin(CampaignShareAdmin):
    inlines = [VerificationAttemptInline, ReviewDecisionInline]


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnlyAdmin):
    list_display = ["share", "started_at", "outcome", "http_status", "duration_ms"]
    list_filter = ["outcome", "share__platform", "started_at"]
    search_fields = ["share__normalized_url", "share__staff__staff_id", "url_fetched", "reason"]
    list_select_related = ["share"]
    date_hierarchy = "started_at"


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "share",
        "decision",
        "old_status",
        "new_status",
        "reason_shown",
        "reviewer",
        "decided_at",
    ]
    list_filter = ["decision", "new_status", "decided_at"]
    search_fields = [
        "share__normalized_url",
        "share__staff__staff_id",
        "reviewer__staff_id",
        "reason",
    ]
    list_select_related = ["share", "reviewer"]
    date_hierarchy = "decided_at"

    @admin.display(description=_("reason"), ordering="reason")
    def reason_shown(self, decision: ReviewDecision) -> str:
        """The reviewer's reason as they wrote it, cut at 120 characters in the list."""
        reason = decision.reason or "—"
        return reason if len(reason) <= 120 else reason[:119] + "…"


@admin.register(PlatformPolicy)
class PlatformPolicyAdmin(admin.ModelAdmin):
    """HR set each platform's verification policy here; every change is recorded."""

    list_display = ["platform", "policy", "sample_percent", "updated_by", "updated_at"]
    list_filter = ["policy"]
    search_fields = ["platform"]
    readonly_fields = ["updated_by", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "platform"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Through the one service, so the history row and the audit entry are written too.
        policies.set_policy(
            platform=obj.platform,
            policy=obj.policy,
            sample_percent=obj.sample_percent,
            actor=request.user,
        )
        obj.pk = PlatformPolicy.objects.only("pk").get(platform=obj.platform).pk

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


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    """Appeals are filed and decided through verification.appeals (audited): read-only here."""

    list_display = ["pk", "share", "staff", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "year_closed"]
    search_fields = ["staff__staff_id", "staff__full_name", "note"]
