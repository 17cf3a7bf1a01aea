"""GET /api/v1/audit/: the audit log for HR admins (DESIGN.md, "Public contract")."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from . import selectors
from .models import AuditEntry
from .permissions import IsHrAdmin
from .serializers import AuditEntrySerializer, AuditFilterSerializer


class AuditEntryList(generics.ListAPIView):
    permission_classes = [IsHrAdmin]
    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.none()  # for the schema; get_queryset filters

    @extend_schema(
        summary="The audit log (HR admins)",
        description="Every recorded decision and setting change, newest first, paginated. "
        "`actor` is the actor's staff ID when the entry was written (empty for the system); "
        "`since`/`until` are inclusive dates in the organisation's time zone. "
        "A bad filter value is a 400 naming it.",
        parameters=[AuditFilterSerializer],
        responses={
            200: AuditEntrySerializer(many=True),
            400: OpenApiResponse(description="A bad filter value, e.g. `{since: [...]}`."),
            403: OpenApiResponse(description="Not an HR admin."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AuditEntry]:
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.entries(filters.validated_data)
