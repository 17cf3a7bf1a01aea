from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import OrgUnit, Platform, SocialAccount


class SocialAccountSerializer(serializers.ModelSerializer):
    """One of the caller's own accounts; ``proof_code`` is the caller's code."""

    proof_code = serializers.SerializerMethodField()
    proof_reason = serializers.CharField(read_only=True)
    proof_message = serializers.CharField(read_only=True)
    proof_needs_check = serializers.BooleanField(read_only=True)

    class Meta:
        model = SocialAccount
        fields = [
            "id",
            "platform",
            "handle",
            "profile_url",
            "proof_status",
            "proof_code",
            "proof_reason",
            "proof_message",
            "proof_needs_check",
        ]
        read_only_fields = fields

    def get_proof_code(self, account) -> str:
        return self.context["proof_code"]


class SocialAccountRequestSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField(
        max_length=500,
        help_text=_("The handle (like @name) or the link to the profile page."),
    )


class ProofStatusSerializer(serializers.Serializer):
    proof_status = serializers.CharField()


class OrgUnitSerializer(serializers.ModelSerializer):
    """A node of the org tree; ``parent`` is the parent's id (null at the top)."""

    class Meta:
        model = OrgUnit
        fields = ["id", "path", "name", "parent"]
        read_only_fields = fields
