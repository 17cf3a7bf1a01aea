from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import OrgUnit, Platform
from campaigns.models import OfficialAccount


class RequiredPlatformsSerializer(serializers.Serializer):
    """One unit's own entry: ``platforms`` ``[]`` = no requirement from here down;
    in a PUT, ``null`` removes the unit's entry (it inherits from above again)."""

    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), allow_null=True
    )


class MyFollowSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class OfficialAccountSerializer(serializers.ModelSerializer):
    """An official account, whether it must be followed and by whom (``units``: the
    audience, each with the units below it; empty = everyone), and ``my_follow``: the
    caller's own confirmation (null when they have none)."""

    must_follow = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField()
    my_follow = serializers.SerializerMethodField()

    class Meta:
        model = OfficialAccount
        fields = ["id", "platform", "handle", "name", "profile_url", "must_follow", "units"]
        fields += ["my_follow"]
        read_only_fields = fields

    def _requirement(self, account):
        return getattr(account, "follow_requirement", None)

    def get_must_follow(self, account) -> bool:
        requirement = self._requirement(account)
        return bool(requirement and requirement.must_follow)

    def get_units(self, account) -> list[int]:
        requirement = self._requirement(account)
        return sorted(u.pk for u in requirement.units.all()) if requirement else []

    @extend_schema_field(MyFollowSerializer(allow_null=True))
    def get_my_follow(self, account):
        confirmation = self.context.get("confirmations", {}).get(account.pk)
        if confirmation is None:
            return None
        return {
            key: value
            for key, value in FollowSerializer(confirmation).data.items()
            if key != "official_account"
        }


class OfficialAccountRequestSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices)
    handle = serializers.CharField(
        max_length=500, help_text=_("The handle (like @name) or the link to the profile page.")
    )
    name = serializers.CharField(max_length=200)
    must_follow = serializers.BooleanField(default=True)
    units = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, required=False
    )


class FollowRequestSerializer(serializers.Serializer):
    following = serializers.BooleanField()
    screenshot = serializers.FileField(required=False)


class FollowSerializer(serializers.Serializer):
    """A person's confirmation; ``confirmed_at`` is null once taken back."""

    official_account = serializers.IntegerField(source="official_account_id")
    following = serializers.BooleanField()
    confirmed_at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_confirmed_at(self, confirmation):
        if not confirmation.following:
            return None
        return serializers.DateTimeField().to_representation(confirmation.confirmed_at)
