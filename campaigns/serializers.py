"""The API's shapes for campaigns and shares (DESIGN.md, "Public contract → HTTP API").

Serializers only read and check input; every write goes through campaigns.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import OrgUnit

from . import selectors
from .models import (
    Campaign,
    CampaignPost,
    CampaignStatus,
    Share,
    ShareSource,
    ShareStatus,
)

# ---------------------------------------------------------------------------
# Campaigns
# ---------------------------------------------------------------------------


class CampaignPostSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        read_only=True, help_text="As HR gave it (it may lack https://, for instance)."
    )
    normalized_url = serializers.URLField(
        read_only=True, help_text="The canonical https URL of the post."
    )

    class Meta:
        model = CampaignPost
        fields = ["id", "url", "normalized_url", "platform"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    posts = CampaignPostSerializer(many=True, read_only=True)
    units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    shared_by_me = serializers.SerializerMethodField(
        help_text="Whether the requester has logged at least one share of this campaign."
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "status",
            "counts_for_kpi",
            "posts",
            "units",
            "shared_by_me",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_shared_by_me(self, campaign: Campaign) -> bool:
        # Annotated by the selectors; a campaign just created has no shares yet.
        return bool(getattr(campaign, "shared_by_me", False))


class CampaignPostInputSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="Link to the official post.")


class CampaignCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    starts_on = serializers.DateField(help_text="First day, in the organisation's time zone.")
    ends_on = serializers.DateField(help_text="Last day, inclusive.")
    posts = CampaignPostInputSerializer(
        many=True, help_text="Official posts, one per platform at most."
    )
    units = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=OrgUnit.objects.all(),
        required=False,
        default=list,
        help_text="Audience: these units and every unit below them. Empty = everyone.",
    )
    status = serializers.ChoiceField(
        choices=CampaignStatus.choices, required=False, default=CampaignStatus.ACTIVE
    )
    counts_for_kpi = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Verified shares count towards KPI points. Default: on for HR's campaigns, "
        "off for a manager's; only HR may turn it on for a manager's campaign.",
    )


class CampaignListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False)


# ---------------------------------------------------------------------------
# Shares
# ---------------------------------------------------------------------------


class ShareSerializer(serializers.ModelSerializer):
    """The share as the contract names it: the body of ``POST shares/``."""

    url = serializers.CharField(
        read_only=True,
        help_text="As the staff member gave it (it may lack https://, for instance).",
    )
    normalized_url = serializers.URLField(
        read_only=True,
        help_text="The canonical https URL of the post: the duplicate key. A short link "
        "until the verifier has resolved it.",
    )

    class Meta:
        model = Share
        fields = [
            "id",
            "url",
            "normalized_url",
            "platform",
            "status",
            "campaign",
            "submitted_at",
            "source",
        ]
        read_only_fields = fields


class ShareListItemSerializer(ShareSerializer):
    staff_id = serializers.CharField(source="staff.staff_id", read_only=True)

    class Meta(ShareSerializer.Meta):
        fields = [*ShareSerializer.Meta.fields, "staff_id"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class VisibleCampaignField(serializers.PrimaryKeyRelatedField):
    """A campaign id, looked up among the campaigns the requester may see, so an
    unknown id and someone else's campaign get the same answer."""

    default_error_messages = {
        "required": _("Say which campaign this share is for (its id)."),
        "does_not_exist": _(
            "There is no campaign {pk_value} open to you: pick one from GET /api/v1/campaigns/."
        ),
        "incorrect_type": _("Give the campaign's id (a number), not {data_type}."),
    }

    def get_queryset(self):
        return selectors.visible_campaigns(self.context["request"].user)


class ShareCreateSerializer(serializers.Serializer):
    campaign = VisibleCampaignField(help_text="Id of the campaign the share is for.")
    url = serializers.CharField(
        max_length=2000,
        help_text="Link to your own post (copy it with the post's Share button); "
        "https:// may be left out.",
    )
    source = serializers.ChoiceField(
        choices=ShareSource.choices,
        required=False,
        default=ShareSource.API,
        help_text="Where the link was logged from (`form` is kept for the web form).",
    )

    def validate_source(self, source: str) -> str:
        if source == ShareSource.FORM:
            raise serializers.ValidationError(
                _("form is for the web form; use api, bookmarklet or share-target.")
            )
        return source


class DuplicateShareSerializer(serializers.Serializer):
    """The 409 body."""

    detail = serializers.CharField()
    existing_share = serializers.IntegerField(
        allow_null=True,
        help_text="Id of the share already logged for this post, when the requester may see it "
        "(their own, their unit's for a manager, any for HR); null when it belongs to "
        "someone they may not see.",
    )
    claimed_by = serializers.CharField(
        required=False,
        help_text="staff_id of whoever logged it; only when it is someone else the requester "
        "may see (a manager's team, HR).",
    )


class ShareListFilterSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=2000,
        max_value=9998,
        help_text="KPI year of submitted_at, in the organisation's time zone.",
        error_messages={"invalid": _("year must be a KPI year such as 2025.")},
    )
    status = serializers.ChoiceField(choices=ShareStatus.choices, required=False)
    campaign = serializers.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": _("campaign must be a campaign id (a number).")},
    )
    staff_id = serializers.CharField(required=False, max_length=64)
