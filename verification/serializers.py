"""The share with its verification attempts, for ``GET /api/v1/shares/{id}/``."""

from rest_framework import serializers

from campaigns.serializers import ShareListItemSerializer

from .appeals import outcome_message
from .models import Appeal, AppealStatus, VerificationAttempt


class VerificationAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerificationAttempt
        fields = ["started_at", "url_fetched", "http_status", "duration_ms", "outcome", "reason"]
        read_only_fields = fields


class ShareDetailSerializer(ShareListItemSerializer):
    status_reason = serializers.CharField(
        source="reason.staff",
        read_only=True,
        help_text="Why the share has its status, in plain words, in the reader's language: "
        "the message of its reason code (HR's words of a review or appeal inside it), or "
        "text kept as written.",
    )
    reason_code = serializers.CharField(
        source="status_code",
        read_only=True,
        help_text="The reason code (verification.reasons); empty for text kept as written.",
    )
    attempts = VerificationAttemptSerializer(many=True, read_only=True)

    class Meta(ShareListItemSerializer.Meta):
        fields = [*ShareListItemSerializer.Meta.fields, "status_reason", "reason_code", "attempts"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    """An appeal as the API shows it: the contract's ``{id, share, status, note,
    created_at}`` plus the decision and the share's status now."""

    share_status = serializers.CharField(source="share.status", read_only=True)
    has_screenshot = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = Appeal
        fields = [
            "id",
            "share",
            "status",
            "note",
            "created_at",
            "appealed_status",
            "has_screenshot",
            "decided_at",
            "decision_reason",
            "year_closed",
            "share_status",
            "outcome",
        ]
        read_only_fields = fields

    def get_has_screenshot(self, appeal: Appeal) -> bool:
        return bool(appeal.screenshot)

    def get_outcome(self, appeal: Appeal) -> str:
        return str(outcome_message(appeal))


class AppealCreateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, help_text="Why the decision was wrong.")
    screenshot = serializers.FileField(required=False, help_text="PNG, JPEG, WebP or GIF.")


class AppealListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AppealStatus.choices, required=False)


class AppealDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Appeal.Decision.choices)
    reason = serializers.CharField(max_length=2000, help_text="The member of staff sees it.")
