"""Pages: my KPI, the scheme editor, year close, the KPI report and statements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts.permissions import hr_admin_required, manager_or_hr_required, user_passes
from sharekpi.errors import bad_request

from . import bands as band_rules
from . import reports, selectors, services

REPORT_FORMATS = {"html", "pdf", "csv", "xlsx"}

superuser_required = user_passes(lambda user: user.is_active and user.is_superuser)


def _year_or_400(request):
    try:
        return reports.parse_year(request.GET.get("year")), None
    except (ValueError, services.ScoringError) as exc:
        return None, bad_request(request, exc)


def _year_choices(selected: int) -> list[dict]:
    years = set(selectors.known_years()) | {selected}
    return [{"value": y, "label": selectors.kpi_year_label(y)} for y in sorted(years, reverse=True)]


# --- staff ----------------------------------------------------------------------------------


@login_required
def my_kpi(request):
    """The asker's count, points, band, what the next band needs, and the campaigns
    that counted."""
    year, error = _year_or_400(request)
    if error:
        return error
    kpi = reports.personal_kpi(person=request.user, year=year)
    return render(
        request,
        "scoring/my_kpi.html",
        {"kpi": kpi, "years": _year_choices(year), "year": year},
    )


# --- HR: scheme -----------------------------------------------------------------------------


@hr_admin_required
def scheme_current(request):
    year, error = _year_or_400(request)
    if error:
        return error
    return redirect("scoring:scheme_edit", year=year)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, year: int):
    """Edit a year's bands. Saving validates, records the change, bumps the
    version and re-scores the year; a closed year is read-only."""
    try:
        services.check_year(year)
    except services.ScoringError as exc:
        raise Http404(str(exc)) from exc
    scheme = services.scheme_for_year(year)
    errors: list[str] = []
    rows = [(b.min_shares, b.max_shares, b.points) for b in scheme.band_values()]
    if request.method == "POST":
        posted = list(
            zip(
                request.POST.getlist("min_shares"),
                request.POST.getlist("max_shares"),
                request.POST.getlist("points"),
                strict=False,
            )
        )
        bands, errors = band_rules.parse_rows(posted)
        if not errors:
            try:
                services.update_scheme(year=year, bands=bands, actor=request.user)
            except services.SchemeInvalid as exc:
                errors = exc.messages
            except services.ScoringError as exc:
                errors = [str(exc)]
            else:
                messages.success(
                    request,
                    _(
                        "Scoring bands for %(year)s saved; "
                        "everyone's points for that year were recomputed."
                    )
                    % {"year": selectors.kpi_year_label(year)},
                )
                return redirect("scoring:scheme_edit", year=year)
        rows = [row for row in posted if any((v or "").strip() for v in row)]
    blank_rows = 2
    context = {
        "year": year,
        "year_label": selectors.kpi_year_label(year),
        "scheme": scheme,
        "rows": rows + [("", "", "")] * blank_rows,
        "errors": errors,
        "close": selectors.year_close_in_force(year),
        "changes": selectors.scheme_changes(year)[:50],
        "years": _year_choices(year),
    }
    return render(request, "scoring/scheme_edit.html", context, status=400 if errors else 200)


# --- HR: year close -------------------------------------------------------------------------


@hr_admin_required
def year_list(request):
    """KPI years with their state; close a year that has ended, re-open (superuser)."""
    years = _year_choices(selectors.current_kpi_year())
    closes = {c.year: c for c in selectors.year_close_history() if c.is_in_force}
    history = list(selectors.year_close_history()[:50])
    counts = selectors.scored_people_by_year()
    rows = []
    for item in years:
        year = item["value"]
        start, end = selectors.kpi_year_period(year)
        rows.append(
            {
                "year": year,
                "label": item["label"],
                "start": start,
                "end": end,
                "ended": selectors.year_has_ended(year),
                "close": closes.get(year),
                "people": counts.get(year, 0),
            }
        )
    return render(request, "scoring/year_list.html", {"rows": rows, "history": history})


@hr_admin_required
@require_POST
def year_close(request, year: int):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that the year's scores become final."))
        return redirect("scoring:year_list")
    try:
        services.close_year(year=year, actor=request.user)
    except services.ScoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("KPI year %(year)s is closed; its scores are final.")
            % {"year": selectors.kpi_year_label(year)},
        )
    return redirect("scoring:year_list")


@superuser_required
@require_POST
def year_reopen(request, year: int):
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why the year is re-opened; the reason is recorded."))
        return redirect("scoring:year_list")
    try:
        services.reopen_year(year=year, actor=request.user, reason=reason)
    except services.ScoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.warning(
            request,
            _("KPI year %(year)s is open again and was recomputed.")
            % {"year": selectors.kpi_year_label(year)},
        )
    return redirect("scoring:year_list")


@hr_admin_required
@require_POST
def year_recompute(request, year: int):
    try:
        written = services.compute_year(year=year, actor=request.user)
    except services.ScoringError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Recomputed %(count)s scores for %(year)s.")
            % {"count": written, "year": selectors.kpi_year_label(year)},
        )
    return redirect("scoring:year_list")


# --- reports --------------------------------------------------------------------------------


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@manager_or_hr_required
def kpi_report(request):
    """The printable KPI report: ``?year=&unit=&format=html|pdf|csv|xlsx``."""
    year, error = _year_or_400(request)
    if error:
        return error
    output = request.GET.get("format", "html").lower() or "html"
    if output not in REPORT_FORMATS:
        return bad_request(request, _("format must be html, pdf, csv or xlsx."))
    try:
        report = reports.build_report(
            viewer=request.user, year=year, unit_ref=request.GET.get("unit")
        )
    except selectors.OutOfScope as exc:
        raise Http404(str(exc)) from exc
    if output == "csv":
        response = StreamingHttpResponse(
            reports.csv_lines(report), content_type="text/csv; charset=utf-8"
        )
        return _attachment(response, f"{report.file_stem()}.csv")
    if output == "xlsx":
        return FileResponse(
            reports.write_xlsx(report),
            as_attachment=True,
            filename=f"{report.file_stem()}.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    if output == "pdf" and report.too_big_for_pdf:
        messages.error(
            request,
            _(
                "%(rows)s rows are too many for one PDF (at most %(max)s). "
                "Choose a unit, or download the Excel or CSV file."
            )
            % {"rows": report.people, "max": reports.PDF_MAX_ROWS},
        )
        return redirect(_report_url(year, report.unit))
    # A long report's PDF lists people as text lines instead of the page's table.
    listing = reports.pdf_listing(report) if output == "pdf" else None
    context = {
        "report": report,
        "rows": [] if listing else report.html_rows(),
        "listing": listing,
        "units": account_selectors.units_visible_to(request.user).values_list("pk", "path"),
        "years": _year_choices(year),
        "links": {fmt: _report_url(year, report.unit, fmt) for fmt in ("pdf", "csv", "xlsx")},
        "for_pdf": output == "pdf",
    }
    if output == "pdf":
        html = render_to_string("scoring/kpi_report.html", context, request=request)
        response = HttpResponse(reports.html_to_pdf(html), content_type="application/pdf")
        return _attachment(response, f"{report.file_stem()}.pdf")
    return render(request, "scoring/kpi_report.html", context)


def _report_url(year: int, unit, output: str | None = None) -> str:
    query = f"?year={year}"
    if unit is not None:
        query += f"&unit={unit.pk}"
    if output:
        query += f"&format={output}"
    return reverse("scoring:kpi_report") + query


@login_required
def kpi_statement(request, staff_id: str):
    """One person's KPI statement for the appraisal file (``&format=pdf`` too).
    Staff may open their own; managers their subtree's; HR anyone's."""
    year, error = _year_or_400(request)
    if error:
        return error
    statement = reports.build_statement(viewer=request.user, staff_id=staff_id, year=year)
    context = {"kpi": statement, "for_pdf": request.GET.get("format") == "pdf"}
    if context["for_pdf"]:
        html = render_to_string("scoring/kpi_statement.html", context, request=request)
        response = HttpResponse(reports.html_to_pdf(html), content_type="application/pdf")
        return _attachment(response, f"{statement.file_stem()}.pdf")
    return render(request, "scoring/kpi_statement.html", context)
