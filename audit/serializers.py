from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import AuditEntry


class AuditFilterSerializer(serializers.Serializer):
    """Query-string filters of GET audit/; a bad value is a 400 naming the field."""

    action = serializers.CharField(
        required=False, max_length=100, help_text=_("Exact action, e.g. review.decided.")
    )
    actor = serializers.CharField(
        required=False,
        max_length=200,
        help_text=_("Staff ID as recorded (any case), or a user id."),
    )
    object_type = serializers.CharField(
        required=False, max_length=100, help_text=_("App label and model, e.g. campaigns.share.")
    )
    object_id = serializers.CharField(required=False, max_length=64)
    since = serializers.DateField(
        required=False, help_text=_("From this date (YYYY-MM-DD), in the organisation's time zone.")
    )
    until = serializers.DateField(
        required=False, help_text=_("Up to and including this date (YYYY-MM-DD).")
    )

    def validate(self, attrs):
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": [_("until must be on or after since.")]})
        return attrs


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor_label",
        read_only=True,
        help_text=_("The actor's staff ID when the entry was written; empty for the system."),
    )
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
            "hash",
        ]
        read_only_fields = fields
