"""Scores and scoring schemes over HTTP (``/api/v1/``).

``GET scores/?year=&unit=`` returns a plain JSON list (the public contract's
shape, not the paginated envelope other list endpoints use); for a whole large
organisation download ``/reports/kpi/?format=csv`` instead.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsHrAdminOrReadOnly, IsManagerOrHr

from . import reports, selectors, services
from .serializers import MyScoreSerializer, ScoreRowSerializer, ScoringSchemeSerializer

YEAR_PARAM = OpenApiParameter(
    "year", int, description="KPI year (the calendar year it starts in); default: current."
)
UNIT_PARAM = OpenApiParameter(
    "unit",
    str,
    description="OrgUnit id or path; includes its sub-units. Managers: default their own unit.",
)


def year_from(request) -> int:
    try:
        return reports.parse_year(request.query_params.get("year"))
    except (ValueError, services.ScoringError) as exc:
        raise ValidationError({"year": [str(exc)]}) from exc


def scheme_body(year: int) -> dict:
    scheme = services.scheme_for_year(year)
    return {
        "year": year,
        "version": scheme.version,
        "closed": selectors.is_year_closed(year),
        "bands": [band.as_dict() for band in scheme.band_values()],
    }


class ScoreList(APIView):
    """Everyone's KPI score in the asker's scope (managers: their subtree; HR: all)."""

    permission_classes = [IsManagerOrHr]

    @extend_schema(parameters=[YEAR_PARAM, UNIT_PARAM], responses=ScoreRowSerializer(many=True))
    def get(self, request):
        year = year_from(request)
        try:
            unit = selectors.report_unit(request.user, request.query_params.get("unit"))
        except selectors.OutOfScope as exc:
            raise NotFound(str(exc)) from exc
        services.ensure_scores(year=year, unit=unit)
        rows = selectors.report_rows(selectors.scores_in_scope(year, unit))
        fields = ("staff_id", "full_name", "unit", "verified_shares", "points")
        return Response([dict(zip(fields, row, strict=True)) for row in rows.iterator()])


class MyScore(APIView):
    """The asker's own KPI row, with what the next band needs."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[YEAR_PARAM], responses=MyScoreSerializer)
    def get(self, request):
        year = year_from(request)
        kpi = reports.personal_kpi(person=request.user, year=year)
        user = request.user
        body = {
            "staff_id": user.staff_id,
            "full_name": user.full_name,
            "unit": user.unit.path if user.unit_id else None,
            "year": year,
            "verified_shares": kpi.score.verified_shares,
            "points": kpi.score.points,
            "scheme_version": kpi.score.scheme_version,
            "computed_at": kpi.score.computed_at,
            "year_closed": kpi.close is not None,
            "band": kpi.band.as_dict(),
            "shares_to_next_band": kpi.shares_to_next_band,
            "next_band_points": kpi.next_band.points if kpi.next_band else None,
        }
        return Response(MyScoreSerializer(body).data)


class ScoringSchemeDetail(APIView):
    """A year's bands. GET: anyone logged in. PUT: HR admins; audited, bumps the
    version and re-scores the year; 400 with one message per problem, 409 when
    the year is closed."""

    permission_classes = [IsHrAdminOrReadOnly]

    def year(self, year: int) -> int:
        try:
            return services.check_year(year)
        except services.ScoringError as exc:
            raise NotFound(str(exc)) from exc

    @extend_schema(responses=ScoringSchemeSerializer)
    def get(self, request, year: int):
        return Response(scheme_body(self.year(year)))

    @extend_schema(
        request=ScoringSchemeSerializer,
        responses={
            200: ScoringSchemeSerializer,
            400: OpenApiResponse(description='{"bands": ["one message per problem", …]}'),
            409: OpenApiResponse(description='{"detail": "KPI year … is closed …"}'),
        },
    )
    def put(self, request, year: int):
        year = self.year(year)
        body = request.data if isinstance(request.data, dict) else {}
        if "year" in body and str(body["year"]) != str(year):
            raise ValidationError(
                {
                    "year": [
                        _("The body is for %(body)s, the URL for %(url)s.")
                        % {"body": body["year"], "url": year}
                    ]
                }
            )
        serializer = ScoringSchemeSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        try:
            services.update_scheme(
                year=year, bands=serializer.validated_data["bands"], actor=request.user
            )
        except services.YearClosed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except services.SchemeInvalid as exc:
            return Response({"bands": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(scheme_body(year))
