"""``/presence/``: the compliance report by unit (managers: their subtree; HR:
everyone), with drill-down, and ``/presence/missing/``: who has no account / has not
confirmed, paginated, or streamed as CSV (``?format=csv``). Printable (print CSS).
The numbers come from presence.report."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import OrgUnit
from accounts.permissions import manager_or_hr_required
from accounts.selectors import units_visible_to
from sharekpi.csvexport import csv_response
from sharekpi.errors import bad_request

from . import report


def _url(name: str, params: dict) -> str:
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


@manager_or_hr_required
@require_GET
def report_page(request):
    try:
        built = report.build(
            request.user, unit=request.GET.get("unit"), platform=request.GET.get("platform")
        )
    except report.OutOfScope as exc:
        raise Http404(str(exc)) from exc
    except report.ReportError as exc:
        return bad_request(request, exc)
    platform = built.platform_filter
    top_id = built.top.id if built.top else None
    for row in [built.total, *built.rows]:
        unit_id = row.unit.id if row.unit else None
        row.url = (
            _url("compliance:report", {"unit": unit_id, "platform": platform})
            if row is not built.total and row.has_children
            else None
        )
        for cell in row.platform_cells:
            cell.missing_url = _url(
                "compliance:missing",
                {"kind": "no_account", "platform": cell.platform, "unit": unit_id},
            )
        for cell in row.follow_cells:
            cell.missing_url = _url(
                "compliance:missing",
                {"kind": "not_confirmed", "official_account": cell.official_account.pk,
                 "unit": unit_id},
            )  # fmt: skip
    crumbs = [
        {"label": u.path.rsplit("/", 1)[-1], "url": _url("compliance:report", {"unit": u.id})}
        for u in built.breadcrumb
    ]
    units = (
        units_visible_to(request.user).values_list("pk", "path")
        if request.user.is_hr_admin or request.user.unit_id
        else OrgUnit.objects.none()
    )
    return render(
        request,
        "presence/report.html",
        {
            "report": built,
            "crumbs": crumbs,
            "unit_choices": units,
            "platform_choices": report.Platform.choices,
            "top_id": top_id,
            "whole_url": _url("compliance:report", {"platform": platform})
            if request.user.is_hr_admin
            else None,
            "missing_all": [
                ("no_account", _url("compliance:missing", {"kind": "no_account", "unit": top_id})),
                (
                    "not_confirmed",
                    _url("compliance:missing", {"kind": "not_confirmed", "unit": top_id}),
                ),
            ],
        },
    )


@manager_or_hr_required
@require_GET
def missing_page(request):
    try:
        filters = report.parse_missing(request.user, request.GET)
    except report.OutOfScope as exc:
        raise Http404(str(exc)) from exc
    except report.ReportError as exc:
        return bad_request(request, exc)
    rows = report.missing_rows(filters)
    if request.GET.get("format") == "csv":
        return csv_response(
            header=report.MISSING_CSV_HEADER,
            rows=rows.iterator(chunk_size=2000),
            filename=f"{filters.file_stem}.csv",
        )
    page = Paginator(rows, report.MISSING_PAGE_SIZE).get_page(request.GET.get("page"))
    query = filters.query()
    return render(
        request,
        "presence/missing.html",
        {
            "filters": filters,
            "page": page,
            "extra_query": urlencode(query) + "&",
            "csv_url": _url("compliance:missing", {**query, "format": "csv"}),
            "report_url": _url(
                "compliance:report", {"unit": filters.top.pk if filters.top else None}
            ),
        },
    )
