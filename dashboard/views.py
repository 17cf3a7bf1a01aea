"""The HR dashboard: ``/dashboard/`` (managers: their units; HR: everyone), the CSV
exports of who is missing, and HR's leaderboard switch. The numbers come from
``dashboard.selectors``; these views only parse the URL and lay the page out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import hr_admin_required, manager_or_hr_required
from campaigns.models import Share
from scoring import reports, services
from scoring import selectors as scoring_selectors
from sharekpi.csvexport import csv_response
from sharekpi.errors import bad_request

from . import charts, selectors, stats

SORT_COLUMNS = (
    ("name", gettext_lazy("Unit")),
    ("people", gettext_lazy("People")),
    ("participants", gettext_lazy("Participating")),
    ("rate", gettext_lazy("Rate")),
    ("shares", gettext_lazy("Verified shares")),
    ("points", gettext_lazy("Avg points")),
)


class KnownCountPaginator(Paginator):
    """A paginator told its count (Paginator would count the sorted, joined rows)."""

    def __init__(self, *args, known_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["count"] = known_count  # fills Paginator's cached_property


def _filters_or_error(request):
    """``(filters, None)`` or ``(None, a 400 response)``; a unit or campaign outside
    the asker's scope is a 404."""
    try:
        return selectors.parse_filters(request.user, request.GET), None
    except scoring_selectors.OutOfScope as exc:
        raise Http404(str(exc)) from exc
    except (ValueError, services.ScoringError) as exc:
        return None, bad_request(request, exc)


def _url(path: str, params: dict) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def _review_url(user) -> str | None:
    if not user.is_hr_admin:
        return None
    try:
        return reverse("review:review_queue")
    except NoReverseMatch:
        return None


@manager_or_hr_required
@require_GET
def dashboard_page(request):
    filters, error = _filters_or_error(request)
    if error:
        return error
    board = selectors.build(filters)
    here = reverse("dashboard:dashboard")
    pages = {
        kind: f"{kind}_page" for kind in selectors.MISSING_KINDS
    }  # the page of each list is kept while the other one turns
    kept_pages = {name: request.GET[name] for name in pages.values() if request.GET.get(name)}

    def link(**changes) -> str:
        return _url(here, {**filters.query(**changes), **kept_pages})

    current = filters.sort.lstrip("-")
    descending = filters.sort.startswith("-")
    sort_links = []
    for key, label in SORT_COLUMNS:
        if filters.campaign is not None and key == "points":
            continue
        if filters.campaign is not None and key == "people":
            label = _("Audience")
        active = key == current
        next_sort = f"-{key}" if active and not descending else key
        sort_links.append(
            {
                "key": key,
                "label": label,
                "url": link(sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if active else None,
            }
        )
    # The unit table's cells are labelled by their column on a phone (cards): translated
    # once here, not once a row.
    unit_labels = {col["key"]: str(col["label"]) for col in sort_links}
    for row in board.units:
        row.url = link(unit=row.unit_id, sort=filters.sort) if row.unit_id else None
        row.meter = charts.meter(
            row.rate,
            label=_("%(percent)s participating") % {"percent": charts.percent_text(row.rate)},
        )
    for row in board.campaigns:
        row.url = link(campaign=row.campaign.pk)
        row.shared_label = charts.percent_text(row.shared_percent)
        row.verified_label = charts.percent_text(row.verified_percent)
        row.shared_meter = charts.meter(row.shared_percent, label=row.shared_label)
        row.verified_meter = charts.meter(row.verified_percent, label=row.verified_label)
    for crumb in board.breadcrumb:
        crumb["url"] = _url(here, filters.query(unit=crumb["unit"], sort=None))

    missing = []
    for kind, param in pages.items():
        page = KnownCountPaginator(
            selectors.missing_people(filters, kind, by_unit=False, unit_ids=board.scope_unit_ids),
            selectors.MISSING_PAGE_SIZE,
            known_count=selectors.missing_count(board, kind),
        ).get_page(request.GET.get(param))
        page.object_list = [
            (staff_id, name, board.short_path(unit), unit)
            for staff_id, name, _email, unit in page.object_list
        ]
        others = {k: v for k, v in kept_pages.items() if k != param}
        page_link = lambda n, p=param, o=others: _url(here, {**filters.query(), **o, p: n})  # noqa: E731
        missing.append(
            {
                "kind": kind,
                "page": page,
                "prev_url": page_link(page.previous_page_number()) if page.has_previous() else None,
                "next_url": page_link(page.next_page_number()) if page.has_next() else None,
                "csv_url": _url(
                    reverse("dashboard:dashboard_missing_csv"),
                    {**filters.query(sort=None), "kind": kind},
                ),
            }
        )
    year_label = filters.year_label
    if filters.campaign is not None:
        weekly_title = _("Shares per week, KPI year %(year)s, %(scope)s — %(campaign)s") % {
            "year": year_label,
            "scope": filters.scope_label,
            "campaign": filters.campaign.title,
        }
    else:
        weekly_title = _("Shares per week, KPI year %(year)s, %(scope)s") % {
            "year": year_label,
            "scope": filters.scope_label,
        }
    context = {
        "board": board,
        "filters": filters,
        "totals": board.totals,
        "years": selectors.year_choices(filters.year),
        "sort_links": sort_links,
        "unit_labels": unit_labels,
        "missing": missing,
        "review_url": _review_url(request.user),
        "weekly_chart": charts.weekly_shares(
            board.weeks,
            title=weekly_title,
        ),
        "band_chart": charts.band_distribution(
            board.bands,
            title=_("People per KPI points, %(year)s, %(scope)s")
            % {"year": year_label, "scope": filters.scope_label},
        ),
        "period": scoring_selectors.kpi_year_period(filters.year),
        "stats_never_built": board.settings.stats_refreshed_at is None
        and request.user.is_hr_admin
        and Share.objects.exists(),
        "reset_url": _url(here, {"year": filters.year}),
        # The compliance report and follower growth (presence; the dashboard may read it).
        "presence_url": _url(
            reverse("compliance:report"), {"unit": filters.unit.pk} if filters.unit else {}
        ),
        "presence_official_url": reverse("growth:official"),
    }
    return render(request, "dashboard/dashboard.html", context)


@manager_or_hr_required
@require_GET
def missing_csv(request):
    """``?kind=no_shares|no_account`` with the dashboard's filters: everyone on that list
    in the asker's scope, streamed."""
    filters, error = _filters_or_error(request)
    if error:
        return error
    kind = request.GET.get("kind", "")
    if kind not in selectors.MISSING_KINDS:
        return bad_request(
            request,
            _("kind must be one of %(kinds)s.") % {"kinds": ", ".join(selectors.MISSING_KINDS)},
        )
    rows = selectors.missing_people(filters, kind).iterator(chunk_size=reports.ROW_CHUNK)
    return csv_response(
        header=selectors.MISSING_CSV_HEADER,
        rows=rows,
        filename=f"{selectors.missing_file_stem(filters, kind)}.csv",
    )


@hr_admin_required
@require_POST
def dashboard_settings(request):
    """HR turns the leaderboard on (``leaderboard=on``) or off (``leaderboard=off``)."""
    choice = request.POST.get("leaderboard", "")
    if choice not in ("on", "off"):
        return bad_request(request, _("leaderboard must be on or off."))
    stats.set_leaderboard(enabled=choice == "on", actor=request.user)
    messages.success(
        request,
        _("The leaderboard is now shown on the dashboard.")
        if choice == "on"
        else _("The leaderboard is hidden."),
    )
    back = request.POST.get("next", "")
    dashboard_path = reverse("dashboard:dashboard")
    if back.startswith(dashboard_path) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("dashboard:dashboard")
