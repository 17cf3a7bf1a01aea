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
    attempts = VerificationAttemptSerializer(many=True, read_only=True)

    class Meta(ShareListItemSerializer.Meta):
        fields = [*ShareListItemSerializer.Meta.fields, "status_reason", "attempts"]
        read_only_fields = fields
