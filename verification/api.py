"""Verification's API: ``GET /api/v1/shares/{id}/`` (one share with its verification
attempts, for whoever may see the share) and ``POST /api/v1/shares/{id}/review/`` (HR
approves or rejects a share in review).

Review: HR admins only (others 403); an unknown id is 404; a bad decision, a reject
without a reason or a share that is not in review is 400 with the field at fault.
The decision is made by verification.review.decide, which audits it.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsHrAdmin
from campaigns import selectors as campaign_selectors
from campaigns.models import Share

from . import review
from .models import ReviewDecision, VerificationAttempt
from .serializers import ShareDetailSerializer


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
