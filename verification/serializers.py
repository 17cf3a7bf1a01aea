"""The share with its verification attempts, for ``GET /api/v1/shares/{id}/``."""

from rest_framework import serializers

from campaigns.serializers import ShareListItemSerializer

from .models import VerificationAttempt


class VerificationAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerificationAttempt
        fields = ["started_at", "url_fetched", "http_status", "duration_ms", "outcome", "reason"]
        read_only_fields = fields


class ShareDetailSerializer(ShareListItemSerializer):
    status_reason = serializers.CharField(
        source="reason.staff",
        read_only=True,
        help_text="Why the share has its status, in plain words: HR's reason as written, "
        "or the message of its reason code.",
    )
    reason_code = serializers.CharField(
        source="status_code",
        read_only=True,
        help_text="The reason code (verification.reasons); empty for HR's own words.",
    )
    attempts = VerificationAttemptSerializer(many=True, read_only=True)

    class Meta(ShareListItemSerializer.Meta):
        fields = [*ShareListItemSerializer.Meta.fields, "status_reason", "reason_code", "attempts"]
        read_only_fields = fields
