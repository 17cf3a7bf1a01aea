"""Social presence under /api/v1/ (DESIGN.md, "Public contract"): required platforms,
official accounts with who must follow them, and "I follow"."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsHrAdminOrReadOnly
from campaigns.models import OfficialAccount

from . import selectors, services
from .models import RequiredPlatforms
from .serializers import (
    FollowRequestSerializer,
    FollowSerializer,
    OfficialAccountRequestSerializer,
    OfficialAccountSerializer,
    RequiredPlatformsSerializer,
)


def _refusal(exc: services.PresenceRefused) -> Response:
    if exc.forbidden:
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if exc.taken:
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    return Response({exc.field or "detail": [exc.message]}, status=status.HTTP_400_BAD_REQUEST)


def _entries() -> list[dict]:
    return [
        {"unit": entry.unit_id, "platforms": entry.platforms}
        for entry in RequiredPlatforms.objects.order_by("unit__path")
    ]


class RequiredPlatformsView(APIView):
    """GET: every unit's own entry (a unit without one inherits from the nearest unit
    above that has one). PUT (HR) ``[{unit, platforms}]``: set those units' entries
    (``platforms: null`` removes the unit's own entry); all or nothing."""

    permission_classes = [IsHrAdminOrReadOnly]
    # A JSON list, nothing else (a form cannot carry it): the schema says so too.
    parser_classes = [JSONParser]

    @extend_schema(responses=RequiredPlatformsSerializer(many=True))
    def get(self, request):
        return Response(_entries())

    @extend_schema(
        request=RequiredPlatformsSerializer(many=True),
        responses={
            200: RequiredPlatformsSerializer(many=True),
            400: OpenApiResponse(description="A bad unit or platform, by item."),
        },
    )
    def put(self, request):
        given = RequiredPlatformsSerializer(data=request.data, many=True)
        given.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                for item in given.validated_data:
                    services.set_required_platforms(
                        unit=item["unit"], platforms=item["platforms"], actor=request.user
                    )
        except services.PresenceRefused as exc:
            return _refusal(exc)
        return Response(_entries())


class OfficialAccountList(APIView):
    """GET: HR and managers every official account, staff those they are asked to
    follow; each with the caller's ``my_follow``. POST (HR): a new official account
    (a handle or a profile link, by the platform rules) and who must follow it."""

    permission_classes = [IsHrAdminOrReadOnly]

    @extend_schema(responses=OfficialAccountSerializer(many=True))
    def get(self, request):
        accounts = list(selectors.official_accounts_visible_to(request.user))
        context = {"confirmations": selectors.confirmations_of(request.user, accounts)}
        return Response(OfficialAccountSerializer(accounts, many=True, context=context).data)

    @extend_schema(
        request=OfficialAccountRequestSerializer,
        responses={
            201: OfficialAccountSerializer,
            400: OpenApiResponse(description="`{handle: [...]}`: not a profile (a post...)."),
            409: OpenApiResponse(description="A staff member's own account, or already official."),
        },
    )
    def post(self, request):
        given = OfficialAccountRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            account = services.save_official_account(
                actor=request.user,
                platform=data["platform"],
                handle=data["handle"],
                name=data["name"],
                must_follow=data["must_follow"],
                units=data.get("units", []),
            )
        except services.PresenceRefused as exc:
            return _refusal(exc)
        account = selectors.official_accounts_visible_to(request.user).get(pk=account.pk)
        return Response(
            OfficialAccountSerializer(account, context={"confirmations": {}}).data,
            status=status.HTTP_201_CREATED,
        )


class OfficialAccountFollow(APIView):
    """POST ``{following: true|false}`` (+ optional ``screenshot``, multipart): the
    caller follows this official account, or no longer does. Only for accounts the
    caller is asked to follow (403 otherwise)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": FollowRequestSerializer,
            "multipart/form-data": FollowRequestSerializer,
        },
        responses={
            200: FollowSerializer,
            400: OpenApiResponse(description="`{screenshot: [...]}` or `{following: [...]}`."),
            403: OpenApiResponse(description="Not an account the caller is asked to follow."),
        },
    )
    def post(self, request, pk: int):
        account = get_object_or_404(OfficialAccount, pk=pk)
        given = FollowRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            confirmation = services.set_follow(
                user=request.user,
                official_account=account,
                following=given.validated_data["following"],
                screenshot=given.validated_data.get("screenshot"),
            )
        except services.PresenceRefused as exc:
            return _refusal(exc)
        return Response(FollowSerializer(confirmation).data)
