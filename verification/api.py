"""Verification's API: ``GET /api/v1/shares/{id}/`` (one share with its verification
attempts, for whoever may see the share), ``POST /api/v1/shares/{id}/review/`` (HR
approves or rejects a share in review), and appeals: ``POST shares/{id}/appeal/``
(owner), ``GET appeals/`` (HR: all; others: own), ``POST appeals/{id}/decide/`` (HR).

Review: HR admins only (others 403); an unknown id is 404; a bad decision, a reject
without a reason or a share that is not in review is 400 with the field at fault.
The decision is made by verification.review.decide, which audits it.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsHrAdmin
from campaigns import selectors as campaign_selectors
from campaigns.models import Share

from . import appeals, review, selectors
from .models import Appeal, ReviewDecision, VerificationAttempt
from .serializers import (
    AppealCreateSerializer,
    AppealDecideSerializer,
    AppealListFilterSerializer,
    AppealSerializer,
    ShareDetailSerializer,
)


@extend_schema_view(
    get=extend_schema(
        summary="One share with its verification attempts",
        responses={
            200: ShareDetailSerializer,
            404: OpenApiResponse(description="No such id, or outside what you may see."),
        },
    )
)
class ShareDetailView(generics.RetrieveAPIView):
    """Staff: their own shares; managers: their units'; HR: any. Others: 404."""

    serializer_class = ShareDetailSerializer
    queryset = Share.objects.none()  # for the schema; get_queryset scopes by who asks

    def get_queryset(self):
        return (
            campaign_selectors.shares_visible_to(self.request.user)
            .select_related("staff")
            .prefetch_related(
                Prefetch("attempts", queryset=VerificationAttempt.objects.order_by("started_at"))
            )
        )


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.Decision.choices)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Required to reject; the member of staff sees it.",
    )


class ReviewResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    decision = serializers.CharField()
    reviewed_by = serializers.CharField(help_text="staff_id of the reviewer")
    reviewed_at = serializers.DateTimeField()


class ShareReviewView(APIView):
    permission_classes = [IsAuthenticated, IsHrAdmin]

    @extend_schema(
        summary="Approve or reject a share in review (HR admins)",
        request=ReviewInputSerializer,
        responses={
            200: ReviewResultSerializer,
            400: OpenApiResponse(
                description="`{decision: [...]}`, `{reason: [...]}` (reject without a reason) "
                "or `{share: [...]}` (not in review)."
            ),
            403: OpenApiResponse(description="Not an HR admin."),
            404: OpenApiResponse(description="No such share."),
        },
    )
    def post(self, request, pk: int):
        share = get_object_or_404(Share, pk=pk)
        given = ReviewInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            share = review.decide(
                share=share,
                reviewer=request.user,
                decision=given.validated_data["decision"],
                reason=given.validated_data.get("reason", ""),
            )
        except review.ReviewRefused as exc:
            return Response({exc.field: [exc.message]}, status=400)
        decided = share.review_decisions.order_by("-decided_at", "-pk").first()
        return Response(
            ReviewResultSerializer(
                {
                    "id": share.pk,
                    "status": share.status,
                    "status_reason": share.reason.staff,
                    "decision": decided.decision,
                    "reviewed_by": request.user.staff_id,
                    "reviewed_at": decided.decided_at,
                }
            ).data
        )


# --- appeals ------------------------------------------------------------------------


def _appeal_refused(exc: appeals.AppealRefused) -> Response:
    return Response({exc.field: [exc.message]}, status=400)


class ShareAppealView(APIView):
    """POST shares/{id}/appeal/: the owner appeals a rejected or removed share (JSON, or
    multipart with a ``screenshot``). Someone else's share is 404."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="Appeal the rejection or removal of your share",
        request={
            "application/json": AppealCreateSerializer,
            "multipart/form-data": AppealCreateSerializer,
        },
        responses={
            201: AppealSerializer,
            400: OpenApiResponse(
                description="`{note: [...]}` (missing), `{screenshot: [...]}` (not an image, "
                "too big) or `{share: [...]}` (not rejected or removed, too late, already "
                "appealed)."
            ),
            404: OpenApiResponse(description="No such share of yours."),
        },
    )
    def post(self, request, pk: int):
        share = get_object_or_404(Share, pk=pk, staff=request.user)
        given = AppealCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            appeal = appeals.file_appeal(
                share=share,
                staff=request.user,
                note=given.validated_data["note"],
                screenshot=given.validated_data.get("screenshot"),
            )
        except appeals.AppealRefused as exc:
            return _appeal_refused(exc)
        return Response(AppealSerializer(appeal).data, status=201)


@extend_schema_view(
    get=extend_schema(
        summary="Appeals (HR: all; everyone else: their own)",
        parameters=[AppealListFilterSerializer],
    )
)
class AppealListView(generics.ListAPIView):
    serializer_class = AppealSerializer
    queryset = Appeal.objects.none()  # for the schema; get_queryset scopes by who asks

    def get_queryset(self):
        filters = AppealListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.appeals_visible_to(
            self.request.user, status=filters.validated_data.get("status", "")
        )


class AppealDecideView(APIView):
    permission_classes = [IsAuthenticated, IsHrAdmin]

    @extend_schema(
        summary="Uphold or overturn an appeal (HR admins)",
        request=AppealDecideSerializer,
        responses={
            200: AppealSerializer,
            400: OpenApiResponse(
                description="`{decision: [...]}`, `{reason: [...]}`, `{appeal: [...]}` "
                "(already decided) or `{decider: [...]}` (you rejected the share and "
                "another HR admin exists)."
            ),
            403: OpenApiResponse(description="Not an HR admin."),
            404: OpenApiResponse(description="No such appeal."),
        },
    )
    def post(self, request, pk: int):
        appeal = get_object_or_404(Appeal, pk=pk)
        given = AppealDecideSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            appeal = appeals.decide_appeal(
                appeal=appeal,
                actor=request.user,
                decision=given.validated_data["decision"],
                reason=given.validated_data["reason"],
            )
        except appeals.AppealRefused as exc:
            return _appeal_refused(exc)
        return Response(AppealSerializer(appeal).data)
