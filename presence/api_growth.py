"""API of follower growth and the compliance report (under /api/v1/):

- GET / POST ``official-accounts/{id}/followers/`` — dated snapshots (GET: managers
  and HR; POST {taken_on, followers}: HR);
- GET / POST ``follow-drives/`` — drives with expected and observed growth (GET:
  managers and HR; POST {official_account, starts_on, units}: HR);
- GET ``presence/?unit=&platform=`` — the compliance report (managers: their
  subtree; HR: all);
- GET ``presence/missing/?kind=no_account|not_confirmed&platform=&official_account=&unit=``
  — who is missing, paginated; ``&format=csv`` streams every row as CSV.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import OrgUnit
from accounts.permissions import IsHrAdmin, IsManagerOrHr
from campaigns.models import OfficialAccount
from sharekpi.csvexport import csv_response

from . import growth, report
from .models import FollowerSnapshot


class ManagerOrHrReadsHrWrites(IsManagerOrHr):
    message = _("Only HR admins may change this; managers and HR admins may read it.")

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return super().has_permission(request, view)
        return IsHrAdmin().has_permission(request, view)


# --- snapshots --------------------------------------------------------------------------------


class SnapshotSerializer(serializers.ModelSerializer):
    followers = serializers.IntegerField()  # negative numbers reach the rule, not a 500

    class Meta:
        model = FollowerSnapshot
        fields = ["taken_on", "followers", "source"]
        read_only_fields = ["source"]


def _raise_growth_error(exc: growth.GrowthError):
    raise ValidationError({exc.field: [exc.message]})


class OfficialAccountFollowers(APIView):
    """An official account's follower snapshots, oldest first."""

    permission_classes = [ManagerOrHrReadsHrWrites]

    def _account(self, pk: int) -> OfficialAccount:
        return get_object_or_404(OfficialAccount, pk=pk)

    @extend_schema(responses=SnapshotSerializer(many=True))
    def get(self, request, pk: int):
        snapshots = growth.snapshots_of(self._account(pk))
        return Response(SnapshotSerializer(snapshots, many=True).data)

    @extend_schema(request=SnapshotSerializer, responses={201: SnapshotSerializer})
    def post(self, request, pk: int):
        account = self._account(pk)
        serializer = SnapshotSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            snapshot = growth.record_snapshot(
                official_account=account,
                taken_on=serializer.validated_data["taken_on"],
                followers=serializer.validated_data["followers"],
                actor=request.user,
            )
        except growth.GrowthError as exc:
            _raise_growth_error(exc)
        return Response(SnapshotSerializer(snapshot).data, status=status.HTTP_201_CREATED)


# --- follow drives ----------------------------------------------------------------------------


class DriveRequestSerializer(serializers.Serializer):
    official_account = serializers.PrimaryKeyRelatedField(queryset=OfficialAccount.objects.all())
    starts_on = serializers.DateField()
    units = serializers.PrimaryKeyRelatedField(
        queryset=OrgUnit.objects.all(), many=True, required=False
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    people_asked = serializers.IntegerField(required=False, allow_null=True, min_value=0)


def drive_json(progress: growth.DriveProgress) -> dict:
    drive = progress.drive
    return {
        "id": drive.pk,
        "name": drive.name,
        "official_account": drive.official_account_id,
        "starts_on": drive.starts_on.isoformat(),
        "audience": {
            "units": sorted(u.pk for u in drive.units.all()),
            "people": progress.audience_people,
        },
        "people_asked": progress.people_asked,
        "confirmed_since_start": progress.confirmed_since_start,
        "observed_growth": progress.observed_growth,
        "snapshots": [
            {"taken_on": s.taken_on.isoformat(), "followers": s.followers}
            for s in progress.snapshots
        ],
        "series": [
            {
                "taken_on": p.day.isoformat(),
                "observed": p.observed,
                "expected": p.expected,
                "confirmed": p.confirmed,
            }
            for p in progress.points
        ],
    }


class FollowDriveList(APIView):
    """Follow drives, newest first, each with its expected and observed growth."""

    permission_classes = [ManagerOrHrReadsHrWrites]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return Response([drive_json(growth.drive_progress(d)) for d in growth.drives_with_units()])

    @extend_schema(request=DriveRequestSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        serializer = DriveRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            drive = growth.create_drive(
                official_account=data["official_account"],
                starts_on=data["starts_on"],
                units=data.get("units", []),
                name=data.get("name", ""),
                people_asked=data.get("people_asked"),
                actor=request.user,
            )
        except growth.GrowthError as exc:
            _raise_growth_error(exc)
        return Response(drive_json(growth.drive_progress(drive)), status=status.HTTP_201_CREATED)


# --- the compliance report --------------------------------------------------------------------


def unit_json(unit: report.Unit | None) -> dict | None:
    if unit is None:
        return None
    return {"id": unit.id, "path": unit.path, "name": unit.name, "parent": unit.parent_id}


def row_json(row: report.Row) -> dict:
    return {
        "unit": unit_json(row.unit),
        "people": row.people,
        "platforms": [
            {
                "platform": c.platform,
                "required": c.required,
                "with_account": c.with_account,
                "proven": c.proven,
                "spot_check_failed": c.spot_check_failed,
            }
            for c in row.platform_cells
        ],
        "official_accounts": [
            {
                "official_account": c.official_account.pk,
                "asked": c.asked,
                "confirmed": c.confirmed,
                "spot_checked": c.spot_checked,
                "spot_check_failed": c.spot_check_failed,
            }
            for c in row.follow_cells
        ],
    }


UNIT_PARAM = OpenApiParameter("unit", str, description="Unit id or path (default: your scope).")
PLATFORM_PARAM = OpenApiParameter("platform", str, description="Only this platform.")


class PresenceReport(APIView):
    """Compliance per unit: the unit asked for (``total``) and each unit just below it."""

    permission_classes = [IsManagerOrHr]

    @extend_schema(parameters=[UNIT_PARAM, PLATFORM_PARAM], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        try:
            built = report.build(
                request.user,
                unit=request.query_params.get("unit"),
                platform=request.query_params.get("platform"),
            )
        except report.OutOfScope as exc:
            raise Http404(str(exc)) from exc
        except report.ReportError as exc:
            raise ValidationError({"detail": str(exc)}) from exc
        return Response(
            {
                "unit": unit_json(built.top),
                "platforms": built.platforms,
                "official_accounts": [
                    {"id": a.pk, "platform": a.platform, "handle": a.handle, "name": a.name}
                    for a in built.accounts
                ],
                "total": row_json(built.total),
                "units": [row_json(row) for row in built.rows],
            }
        )


class CsvPassthroughRenderer(BaseRenderer):
    """Lets ``?format=csv`` through DRF's content negotiation; the view streams the CSV."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class MissingPersonSerializer(serializers.Serializer):
    staff_id = serializers.CharField()
    full_name = serializers.CharField()
    unit = serializers.CharField(source="unit.path", allow_null=True)


class PresenceMissing(ListAPIView):
    """Who has no account on a platform required of them, or has not confirmed
    following a must-follow account, in the asker's scope."""

    permission_classes = [IsManagerOrHr]
    serializer_class = MissingPersonSerializer
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CsvPassthroughRenderer]

    def _filters(self) -> report.MissingFilters:
        try:
            return report.parse_missing(self.request.user, self.request.query_params)
        except report.OutOfScope as exc:
            raise Http404(str(exc)) from exc
        except report.ReportError as exc:
            raise ValidationError({"detail": str(exc)}) from exc

    def finalize_response(self, request, response, *args, **kwargs):
        """Errors of a ``?format=csv`` call (401, 403, 400, 404) answer in JSON."""
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and getattr(renderer, "format", "") == "csv":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_queryset(self):
        return report.missing_people(self._filters()).select_related("unit")

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=list(report.MISSING_KINDS), required=True),
            PLATFORM_PARAM,
            OpenApiParameter("official_account", int),
            UNIT_PARAM,
            OpenApiParameter("format", str, enum=["json", "csv"]),
        ]
    )
    def get(self, request, *args, **kwargs):
        if request.query_params.get("format") == "csv":
            filters = self._filters()
            return csv_response(
                header=report.MISSING_CSV_HEADER,
                rows=report.missing_rows(filters).iterator(chunk_size=2000),
                filename=f"{filters.file_stem}.csv",
            )
        return super().get(request, *args, **kwargs)
