"""The campaigns and shares API (DESIGN.md, "Public contract → HTTP API").

Thin on purpose: scoping comes from campaigns.selectors, writes go through
campaigns.services, and this module only turns their answers and errors into
HTTP. Access: anonymous → 401/403 (DRF), wrong role → 403, anything outside the
requester's scope → 404, never a hint that it exists. ``GET shares/{id}/`` (with its
verification attempts) is verification's (verification.api).
"""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from . import kpi_year, selectors, services
from .models import Campaign, Share, ShareSource
from .serializers import (
    CampaignCreateSerializer,
    CampaignListFilterSerializer,
    CampaignSerializer,
    DuplicateShareSerializer,
    ShareCreateSerializer,
    ShareListFilterSerializer,
    ShareListItemSerializer,
    ShareSerializer,
    VisibleCampaignField,
)

NOT_FOUND = OpenApiResponse(description="No such id, or outside what you may see.")

_SOURCES = frozenset(ShareSource.values) - {ShareSource.FORM}
_DEFAULT_SOURCE = str(ShareSource.API.value)
_URL_MAX = ShareCreateSerializer().fields["url"].max_length
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")  # what DRF's CharField refuses
_TIMESTAMP = serializers.DateTimeField()


def plain_share_input(data) -> tuple[int, str, str] | None:
    """``(campaign id, url, source)`` when the body of ``POST shares/`` is the plain JSON
    shape that ShareCreateSerializer accepts as it is: an integer campaign, a URL string
    within its length, a source allowed here or none. None for anything else, which
    goes through the serializer for its exact answer. The campaign's visibility is
    checked with the rest of the rules (``services.submit_share_by_id``)."""
    if not isinstance(data, dict):
        return None
    campaign, url = data.get("campaign"), data.get("url")
    source = data.get("source", _DEFAULT_SOURCE)
    if type(campaign) is not int or type(url) is not str or type(source) is not str:
        return None
    url = url.strip()
    if not url or len(url) > _URL_MAX or _BAD_TEXT.search(url) or source not in _SOURCES:
        return None
    return campaign, url, source


def share_body(share: Share) -> dict:
    """``ShareSerializer(share).data``, without building a ModelSerializer per request
    (tests/campaigns/test_api_shares.py holds the two equal)."""
    return {
        "id": share.pk,
        "url": share.url,
        "normalized_url": share.normalized_url,
        "platform": share.platform,
        "status": share.status,
        "campaign": share.campaign_id,
        "submitted_at": _TIMESTAMP.to_representation(share.submitted_at),
        "source": share.source,
    }


def validated_filters(serializer_class, request) -> dict:
    """Query-string filters, checked: a bad value is a 400 that says which and why."""
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class MayRunCampaignsOrReadOnly(BasePermission):
    """Anyone logged in may read; HR admins, and managers HR lets run department
    campaigns, may create."""

    message = _("Only HR admins, and managers allowed to run department campaigns, may do this.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return bool(request.user and request.user.is_authenticated)
        return services.may_run_campaigns(request.user)


@extend_schema_view(
    list=extend_schema(
        summary="Campaigns for me",
        description="Staff and managers: the campaigns open today whose audience includes them, "
        "with `shared_by_me`. HR admins: every campaign, optionally filtered by `status`.",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=["draft", "active", "closed"],
                description="HR admins only; ignored for others.",
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One campaign",
        description="Anyone in the campaign's audience (HR admins: any campaign); 404 otherwise.",
    ),
    create=extend_schema(
        summary="Create a campaign (HR admins)",
        request=CampaignCreateSerializer,
        responses={
            201: CampaignSerializer,
            400: OpenApiResponse(description="Field errors, e.g. `{posts: [...]}`."),
            403: OpenApiResponse(
                description="Not an HR admin, nor a manager allowed to run department campaigns."
            ),
        },
    ),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [MayRunCampaignsOrReadOnly]
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()  # for the schema; get_queryset scopes by who asks

    def get_queryset(self) -> QuerySet[Campaign]:
        user = self.request.user
        if self.action == "list":
            if user.is_hr_admin:
                campaigns = selectors.campaigns_visible_to(user)
                wanted = validated_filters(CampaignListFilterSerializer, self.request)
                if "status" in wanted:
                    campaigns = campaigns.filter(status=wanted["status"])
            else:
                campaigns = selectors.active_campaigns_for(user)
        else:
            campaigns = selectors.campaigns_visible_to(user)
        return campaigns.prefetch_related("posts", "units")

    def get_serializer_class(self):
        if self.action == "create":
            return CampaignCreateSerializer
        return CampaignSerializer

    def create(self, request, *args, **kwargs):
        given = CampaignCreateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        values = given.validated_data
        try:
            campaign = services.save_campaign(
                actor=request.user,
                values=services.CampaignInput(
                    title=values["title"],
                    description=values["description"],
                    starts_on=values["starts_on"],
                    ends_on=values["ends_on"],
                    post_urls=[post["url"] for post in values["posts"]],
                    units=values["units"],
                    status=values["status"],
                    counts_for_kpi=values["counts_for_kpi"],
                ),
            )
        except services.CampaignInvalid as exc:
            raise ValidationError(exc.errors) from exc
        except services.CampaignNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(
            CampaignSerializer(campaign, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="Shares I may see",
        description="Staff: their own shares; managers: their unit's and every unit below; "
        "HR admins: all. Newest first, paginated. A bad filter value is a 400 naming it.",
        parameters=[ShareListFilterSerializer],
        responses={
            200: ShareListItemSerializer(many=True),
            400: OpenApiResponse(description="A bad filter value, e.g. `{year: [...]}`."),
        },
    ),
    create=extend_schema(
        summary="Log a share",
        description="Anyone logged in may log a share of a campaign open to them today. "
        "Verification runs later, in a worker; the share starts `pending`.",
        request=ShareCreateSerializer,
        responses={
            201: ShareSerializer,
            400: OpenApiResponse(
                description="Bad input: `{url: [...]}` (not a post link, unknown platform, "
                "platform not in the campaign) or `{campaign: [...]}` (unknown, not open "
                "today, not meant for you)."
            ),
            409: OpenApiResponse(
                DuplicateShareSerializer,
                description="Already logged: this post (by anyone), or a share of this "
                "campaign on this platform by you.",
                examples=[
                    OpenApiExample(
                        "Your own share",
                        value={
                            "detail": "You have already logged this post (see My shares).",
                            "existing_share": 42,
                        },
                    ),
                    OpenApiExample(
                        "Someone else's share",
                        value={
                            "detail": "This post has already been claimed by another member "
                            "of staff.",
                            "existing_share": None,
                        },
                    ),
                    OpenApiExample(
                        "A share the caller may open (HR: anyone's; a manager: their subtree's)",
                        value={
                            "detail": "This post has already been claimed by another member "
                            "of staff.",
                            "existing_share": 42,
                            "claimed_by": "S00123",
                        },
                    ),
                ],
            ),
        },
    ),
)
class ShareViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Share.objects.none()  # for the schema; get_queryset scopes by who asks

    def get_queryset(self) -> QuerySet[Share]:
        shares = selectors.shares_visible_to(self.request.user).select_related("staff")
        if self.action == "list":
            return self.filtered(shares)
        return shares

    def filtered(self, shares: QuerySet[Share]) -> QuerySet[Share]:
        wanted = validated_filters(ShareListFilterSerializer, self.request)
        if "year" in wanted:
            start, end = kpi_year.kpi_year_bounds(wanted["year"])
            shares = shares.filter(submitted_at__gte=start, submitted_at__lt=end)
        if "status" in wanted:
            shares = shares.filter(status=wanted["status"])
        if "campaign" in wanted:
            shares = shares.filter(campaign_id=wanted["campaign"])
        if "staff_id" in wanted:
            shares = shares.filter(staff__staff_id=wanted["staff_id"])
        return shares.order_by("-submitted_at", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return ShareCreateSerializer
        return ShareListItemSerializer

    def create(self, request, *args, **kwargs):
        given = plain_share_input(request.data)
        if given is None:  # anything but the plain JSON shape: the serializer says what is wrong
            checked = ShareCreateSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            checked.is_valid(raise_exception=True)
            values = checked.validated_data
            given = (values["campaign"].pk, values["url"], values["source"])
        campaign_id, url, source = given
        try:
            share = services.submit_share_by_id(
                staff=request.user, campaign_id=campaign_id, url=url, source=source
            )
        except services.CampaignNotVisible:
            message = VisibleCampaignField().error_messages["does_not_exist"]
            raise ValidationError({"campaign": [message.format(pk_value=campaign_id)]}) from None
        except services.ShareRefused as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        except services.DuplicateShare as exc:
            return Response(self.duplicate_body(exc), status=status.HTTP_409_CONFLICT)
        return Response(share_body(share), status=status.HTTP_201_CREATED)

    def duplicate_body(self, duplicate: services.DuplicateShare) -> dict:
        """Point at the existing share only when the requester may open it anyway
        (GET shares/{id}/): their own, their team's for a manager, any for HR.
        Someone else's claim stays anonymous to staff."""
        user = self.request.user
        existing = duplicate.existing
        body = {"detail": duplicate.message, "existing_share": None}
        if duplicate.own or selectors.shares_visible_to(user).filter(pk=existing.pk).exists():
            body["existing_share"] = existing.pk
            if existing.staff_id != user.pk:
                body["claimed_by"] = existing.staff.staff_id
        return body
