"""The KPI report a manager hands in, and each person's KPI statement, in the
shapes people ask for: printable HTML, PDF (WeasyPrint, from the same HTML),
CSV (streamed) and XLSX (openpyxl, write-only).

Rows always come from KpiScore joined to the users in one query; nothing here
runs a query per person, and the CSV/XLSX writers iterate the rows in chunks
instead of holding them all.
"""

from __future__ import annotations

import datetime
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from wcwidth import wcswidth

from accounts import selectors as account_selectors
from accounts.models import OrgUnit, User
from sharekpi import csvexport

from . import bands as band_rules
from . import selectors, services
from .bands import Band
from .models import KpiScore, ScoringScheme, YearClose

# The CSV's column names are for programs (like the API's field names): never translated.
CSV_HEADER = ("staff_id", "full_name", "unit", "verified_shares", "points")
XLSX_HEADER = (
    gettext_lazy("Staff ID"),
    gettext_lazy("Full name"),
    gettext_lazy("Unit"),
    gettext_lazy("Verified shares"),
    gettext_lazy("Points"),
)
ROW_CHUNK = 2000
# The CSV fetches and sends this many rows at a time (~80 KB of text). Measured with
# 54,510 people: 1,000, 2,000 and 5,000 take the same time; the peak memory grows with
# the chunk (0.8, 2.5 and 6.9 MB), never with the organisation.
CSV_CHUNK = 1000
XLSX_DATE_FORMAT = "d mmm yyyy"
XLSX_DATETIME_FORMAT = "d mmm yyyy hh:mm"
# Beyond these sizes the HTML page shows the first rows only and PDF is refused:
# a whole large organisation belongs in the CSV / XLSX downloads. A PDF of more
# than PDF_TABLE_MAX_ROWS people lists them as text lines instead of table cells
# (see "PDF listing" below): ~1.4 ms a person instead of ~9, and ~15 KB instead of
# ~130 KB. PDF_MAX_ROWS keeps a request inside half of gunicorn's 60 s timeout:
# on the bench machine 6,642 people took ~9 s and ~105 MB, 20,000 ~30 s and ~210 MB.
HTML_MAX_ROWS = 10_000
PDF_MAX_ROWS = 20_000
PDF_TABLE_MAX_ROWS = 500


def organisation_name() -> str:
    return getattr(settings, "SHAREKPI_ORGANISATION_NAME", "") or "ShareKPI"


def parse_year(raw: str | None) -> int:
    """``?year=`` → a KPI year (default: the current one); ValueError for anything else."""
    if raw is None or str(raw).strip() == "":
        return selectors.current_kpi_year()
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):
        raise ValueError(
            _("“%(text)s” is not a year; use four digits, e.g. ?year=2025.") % {"text": text}
        )
    return services.check_year(int(text))


def safe_file_stem(text: str) -> str:
    """ASCII letters, digits, - and _ only: safe in a Content-Disposition header."""
    stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in text)
    return "-".join(part for part in stem.split("-") if part) or "kpi"


class _PrintedYear:
    """What every printed document of one KPI year shows in its heading."""

    year: int

    @property
    def organisation(self) -> str:
        return organisation_name()

    @property
    def year_label(self) -> str:
        return selectors.kpi_year_label(self.year)

    @property
    def period(self) -> tuple[datetime.date, datetime.date]:
        return selectors.kpi_year_period(self.year)


@dataclass
class BandShare:
    band: Band
    people: int
    percent: float


@dataclass
class KpiReport(_PrintedYear):
    viewer: User
    year: int
    unit: OrgUnit | None
    scheme: ScoringScheme
    bands: list[Band]
    close: YearClose | None
    scores: QuerySet[KpiScore]
    people: int = 0
    participants: int = 0
    total_shares: int = 0
    total_points: int = 0
    distribution: list[BandShare] = field(default_factory=list)
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def unit_label(self) -> str:
        return self.unit.path if self.unit is not None else _("Whole organisation")

    @property
    def participation_rate(self) -> float:
        return 100.0 * self.participants / self.people if self.people else 0.0

    @property
    def average_points(self) -> float:
        return self.total_points / self.people if self.people else 0.0

    @property
    def rows(self) -> QuerySet:
        """``(staff_id, full_name, unit, verified_shares, points)`` tuples, one query."""
        return selectors.report_rows(self.scores)

    def iter_rows(self, chunk_size: int = ROW_CHUNK) -> Iterator[tuple]:
        """``rows`` one by one in constant memory, for the exports (a plan that stays
        linear in the people: ``selectors.report_rows_in_chunks``)."""
        for chunk in selectors.report_rows_in_chunks(self.scores, chunk_size):
            yield from chunk

    @property
    def too_big_for_html(self) -> bool:
        return self.people > HTML_MAX_ROWS

    @property
    def too_big_for_pdf(self) -> bool:
        return self.people > PDF_MAX_ROWS

    def html_rows(self) -> list[tuple]:
        return list(self.rows[:HTML_MAX_ROWS])

    def file_stem(self) -> str:
        unit = self.unit.name if self.unit is not None else "organisation"
        return safe_file_stem(f"kpi-{self.year_label}-{unit}")


def build_report(*, viewer: User, year: int, unit_ref: str | None) -> KpiReport:
    """The KPI report for what ``viewer`` may see: rows, totals, distribution.

    ``unit_ref`` outside the viewer's scope raises ``selectors.OutOfScope``.
    Missing rows for an open year are computed first (set-based, whole year).
    """
    unit = selectors.report_unit(viewer, unit_ref)
    close = selectors.year_close_in_force(year)
    services.ensure_scores(year=year, unit=unit, closed=close is not None)
    scheme = services.scheme_for_year(year)
    bands = scheme.band_values()
    scores = selectors.scores_in_scope(year, unit, closed=close is not None)
    report = KpiReport(
        viewer=viewer,
        year=year,
        unit=unit,
        scheme=scheme,
        bands=bands,
        close=close,
        scores=scores,
    )
    in_band = {
        f"band_{i}": Count(
            "pk",
            filter=Q(verified_shares__gte=band.min_shares)
            & (Q() if band.max_shares is None else Q(verified_shares__lte=band.max_shares)),
        )
        for i, band in enumerate(bands)
    }
    totals = scores.aggregate(
        people=Count("pk"),
        participants=Count("pk", filter=Q(verified_shares__gt=0)),
        total_shares=Sum("verified_shares"),
        total_points=Sum("points"),
        **in_band,
    )
    report.people = totals["people"]
    report.participants = totals["participants"]
    report.total_shares = totals["total_shares"] or 0
    report.total_points = totals["total_points"] or 0
    report.distribution = [
        BandShare(
            band=band,
            people=totals[f"band_{i}"],
            percent=100.0 * totals[f"band_{i}"] / report.people if report.people else 0.0,
        )
        for i, band in enumerate(bands)
    ]
    return report


# --- per-person statement -------------------------------------------------------------------


@dataclass
class KpiStatement(_PrintedYear):
    person: User
    year: int
    score: KpiScore
    scheme: ScoringScheme
    bands: list[Band]
    band: Band
    next_band: Band | None
    shares_to_next_band: int | None
    campaigns: list[dict]
    close: YearClose | None
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    def file_stem(self) -> str:
        return safe_file_stem(f"kpi-statement-{self.year_label}-{self.person.staff_id}")


def personal_kpi(*, person: User, year: int) -> KpiStatement:
    """A person's KPI for a year: their row, the band it falls in, what the next
    band needs, and the campaigns that counted. A closed year shows its frozen
    row (campaigns are listed as they count today; the frozen count is the one
    that stands)."""
    score = services.score_for(user=person, year=year)
    scheme = services.scheme_for_year(year)
    bands = scheme.band_values()
    return KpiStatement(
        person=person,
        year=year,
        score=score,
        scheme=scheme,
        bands=bands,
        band=band_rules.band_for(score.verified_shares, bands),
        next_band=band_rules.next_band(score.verified_shares, bands),
        shares_to_next_band=band_rules.shares_to_next_band(score.verified_shares, bands),
        campaigns=selectors.counted_campaigns(person, year),
        close=selectors.year_close_in_force(year),
    )


def build_statement(*, viewer: User, staff_id: str, year: int) -> KpiStatement:
    person = (
        account_selectors.users_visible_to(viewer)
        .select_related("unit")
        .filter(staff_id=staff_id)
        .first()
    )
    if person is None:
        raise Http404(_("No such person, or outside what you may see."))
    return personal_kpi(person=person, year=year)


# --- CSV ------------------------------------------------------------------------------------


def csv_lines(report: KpiReport):
    """The report as CSV text: UTF-8 BOM (so Excel reads the names right), header,
    then rows fetched and sent ``CSV_CHUNK`` at a time (one string per chunk)."""
    return csvexport.csv_chunks(
        CSV_HEADER, selectors.report_rows_in_chunks(report.scores, CSV_CHUNK)
    )


# --- XLSX -----------------------------------------------------------------------------------


def write_xlsx(report: KpiReport) -> IO[bytes]:
    """The report as an Excel workbook in a temporary file (rewound): sheet "KPI"
    with typed cells and a frozen header, and a "Summary" sheet."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("KPI")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDE", (14, 32, 40, 16, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)

    def header(values):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = bold
            cells.append(cell)
        return cells

    sheet.append(header([str(name) for name in XLSX_HEADER]))
    safe = csvexport.spreadsheet_safe  # Excel runs formulas in xlsx cells too
    last_row = 1
    for staff_id, full_name, unit, shares, points in report.iter_rows():
        sheet.append([safe(staff_id), safe(full_name), unit or "", int(shares), int(points)])
        last_row += 1
    # Filter buttons on the header: sort or pick people by unit, shares, points.
    sheet.auto_filter.ref = f"A1:E{last_row}"

    summary = workbook.create_sheet(_sheet_title(pgettext("spreadsheet sheet", "Summary")))
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 40

    def date_cell(value, number_format: str = XLSX_DATE_FORMAT):
        """A real date (or date and time) cell, shown in the given format."""
        cell = WriteOnlyCell(summary, value=value)
        cell.number_format = number_format
        return cell

    start, end = report.period
    # Excel has no time zones: the time is the organisation's local time.
    generated = timezone.localtime(report.generated_at).replace(tzinfo=None, microsecond=0)
    rows = [
        (_("Organisation"), report.organisation),
        (
            _("Unit"),
            _("%(unit)s (and sub-units)") % {"unit": report.unit_label}
            if report.unit
            else report.unit_label,
        ),
        (_("KPI year"), report.year),
    ]
    if report.year_label != str(report.year):
        rows.append((_("KPI year (as shown)"), report.year_label))
    rows += [
        (_("Period from"), date_cell(start)),
        (_("Period to"), date_cell(end)),
        (_("Status"), _status_text(report.close)),
    ]
    if report.close is not None:
        closed_on = timezone.localtime(report.close.closed_at).date()
        rows.append((_("Closed on"), date_cell(closed_on)))
    rows += [
        (_("Scoring scheme version"), report.scheme.version),
        (_("Generated"), date_cell(generated, XLSX_DATETIME_FORMAT)),
        (_("People"), report.people),
        (_("With at least one verified share"), report.participants),
        (_("Participation rate (%)"), round(report.participation_rate, 1)),
        (_("Verified shares (total)"), report.total_shares),
        (_("Points (total)"), report.total_points),
    ]
    for label, value in rows:
        summary.append([str(label), value])
    summary.append([])
    summary.append(
        header((_("Band (verified shares)"), _("Points"), _("People"), _("% of people")))
    )
    for item in report.distribution:
        summary.append([item.band.label, item.band.points, item.people, round(item.percent, 1)])

    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _sheet_title(text: str) -> str:
    """A translated sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in text).strip()
    return cleaned[:31] or "Summary"


def _status_text(close: YearClose | None) -> str:
    if close is None:
        return _("Open: scores may still change")
    who = close.closed_by.full_name if close.closed_by else _("HR")
    return _("Closed by %(who)s on %(when)s: final") % {
        "who": who,
        "when": date_format(timezone.localtime(close.closed_at)),
    }


# --- PDF listing ----------------------------------------------------------------------------
#
# WeasyPrint spends ~0.5 ms on every box it styles, lays out and draws, and a table
# row is six of them (tr + five cells): a 7,000-person table took ~65 s of CPU and
# ~870 MB. A long report's PDF therefore lists people as monospaced text lines,
# laid out and paginated here: each printed page is one table row holding that
# page's lines, under a <thead> WeasyPrint repeats on every page. Columns line up
# because every character is one cell wide; long names and unit paths wrap onto
# continuation lines instead of being cut, and a person's lines never straddle a
# page, because pages are filled here, person by person.
#
# The page geometry below must match static/css/print-listing.css (linked by
# kpi_report.html for a listing): A4 landscape, the margins of static/css/print.css,
# 8 pt DejaVu Sans Mono (0.602 em a character) on 11 pt lines.
# Measured: below the two header lines a page holds 44 lines, 42 under the "People"
# heading; one line is kept spare. Overfilling is not an error WeasyPrint reports: it
# silently drops the repeated header to fit the row (tests/scoring/test_kpi_pdf_listing.py
# checks every printed page carries the header and exactly one page of lines).

LISTING_FONT_PT = 8
LISTING_LINE_PT = 11
LISTING_WIDTH = 150  # characters; 273 mm hold 160 of them at 8 pt
LISTING_LINES_PER_PAGE = 43
LISTING_LINES_FIRST_PAGE = 41
LISTING_GAP = "  "
# Below the last people: the total (one line and its rule) and the signature block
# (2.5rem above it, one line of text and its rule). Measured: a last page of 38 lines
# still holds them, one of 40 did not.
LISTING_END_LINES = 5


def display_width(text: str) -> int:
    """Character cells ``text`` takes in a monospaced font (wcwidth: East Asian wide and
    full-width characters take two, combining marks none). ``text`` has no control
    characters (``_clean``); should one slip through, it counts as one cell."""
    if text.isascii():
        return len(text)
    width = wcswidth(text)
    return width if width >= 0 else len(text)


def _clean(value) -> str:
    """One line of printable text: control characters (newlines, tabs) become spaces."""
    text = "" if value is None else str(value)
    if not (text.isascii() and text.isprintable()):
        text = unicodedata.normalize("NFC", text)
        text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    return " ".join(text.split())


_BREAKS = re.compile(r"[^ /]*(?:/| +|$)")


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken after spaces and after
    ``/`` (unit paths), a word longer than a line split where it must."""
    if display_width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for token in _BREAKS.findall(text):
        if not token:
            continue
        if line and display_width(line + token.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
        while display_width(line.rstrip()) > width:  # a word wider than the column
            cut = 1
            while display_width(line[: cut + 1]) <= width:
                cut += 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.rstrip() or not lines:
        lines.append(line.rstrip())
    return lines


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


@dataclass
class PdfListing:
    """People as text for a long PDF: ``header`` (two lines), ``pages`` (each the
    lines of one printed page) and ``total``."""

    header: str
    pages: list[str]
    total: str
    font_pt: int = LISTING_FONT_PT
    line_pt: int = LISTING_LINE_PT


def pdf_listing(report: KpiReport) -> PdfListing | None:
    """The report's people laid out for the PDF listing, or None when the PDF keeps
    the page's own table (``PDF_TABLE_MAX_ROWS`` people or fewer)."""
    if report.people <= PDF_TABLE_MAX_ROWS:
        return None
    rows = [
        (_clean(staff_id), _clean(full_name), _clean(unit) or "—", int(shares), int(points))
        for staff_id, full_name, unit, shares, points in report.iter_rows()
    ]
    longest = [max((display_width(row[i]) for row in rows), default=0) for i in range(3)]
    number_w = len(str(len(rows)))
    staff_label, name_label, unit_label = _("Staff ID"), _("Name"), _("Unit")
    # "Verified shares" in two lines of the column heading.
    verified_label, shares_label = (
        _("Verified"),
        pgettext("column heading, under Verified", "shares"),
    )
    points_label = _("Points")
    staff_w = min(max(longest[0], display_width(staff_label)), 16)
    shares_w = max(
        display_width(verified_label), display_width(shares_label), len(str(report.total_shares))
    )
    points_w = max(display_width(points_label), len(str(report.total_points)))
    total_label = _("Total: %(people)s people") % {"people": report.people}
    name_w = min(max(longest[1], display_width(total_label), display_width(name_label)), 40)
    fixed = number_w + staff_w + name_w + shares_w + points_w + 5 * len(LISTING_GAP)
    unit_w = min(max(longest[2], display_width(unit_label)), LISTING_WIDTH - fixed)

    def line(number, staff, name, unit, shares, points) -> str:
        return LISTING_GAP.join(
            (
                _pad(number, number_w, right=True),
                _pad(staff, staff_w),
                _pad(name, name_w),
                _pad(unit, unit_w),
                _pad(shares, shares_w, right=True),
                _pad(points, points_w, right=True),
            )
        ).rstrip()

    header = "\n".join(
        (
            line("#", staff_label, name_label, unit_label, verified_label, points_label),
            line("", "", "", "", shares_label, ""),
        )
    )
    # Each page is a list of people, each person a list of lines.
    pages: list[list[list[str]]] = []
    page: list[list[str]] = []
    used, room = 0, LISTING_LINES_FIRST_PAGE
    for number, (staff_id, full_name, unit, shares, points) in enumerate(rows, start=1):
        columns = [wrap_cells(staff_id, staff_w), wrap_cells(full_name, name_w)]
        columns.append(wrap_cells(unit, unit_w))
        height = max(map(len, columns))
        if page and used + height > room:
            pages.append(page)
            page, used, room = [], 0, LISTING_LINES_PER_PAGE
        page.append(
            [
                line(
                    str(number) if k == 0 else "",
                    *(column[k] if k < len(column) else "" for column in columns),
                    str(shares) if k == 0 else "",
                    str(points) if k == 0 else "",
                )
                for k in range(height)
            ]
        )
        used += height
    if page:
        pages.append(page)
    _keep_the_end_together(pages)
    total = line("", "", total_label, "", str(report.total_shares), str(report.total_points))
    pages_text = ["\n".join(ln for person in people for ln in person) for people in pages]
    return PdfListing(header=header, pages=pages_text, total=total)


def _keep_the_end_together(pages: list[list[list[str]]]) -> None:
    """The total and the signature lines need ``LISTING_END_LINES`` below the last
    people: when the last page has no room for them, its last two people move to a
    new last page (never the signatures alone); and a last page never holds a
    single person when the page before can spare one."""
    if not pages:
        return

    def room(index: int) -> int:
        return LISTING_LINES_FIRST_PAGE if index == 0 else LISTING_LINES_PER_PAGE

    last = pages[-1]
    if sum(map(len, last)) + LISTING_END_LINES > room(len(pages) - 1) and len(last) > 1:
        pages.append(last[-2:])
        del last[-2:]
        if not last:
            pages.pop(-2)
    if len(pages) > 1 and len(pages[-1]) == 1 and len(pages[-2]) > 2:
        moved = pages[-2][-1]
        if sum(map(len, pages[-1])) + len(moved) + LISTING_END_LINES <= room(len(pages) - 1):
            pages[-1].insert(0, pages[-2].pop())


# --- PDF ------------------------------------------------------------------------------------

PDF_BASE_URL = "https://sharekpi.invalid/"


def _static_fetcher():
    """A WeasyPrint URL fetcher that serves our own static files from disk and
    fetches nothing else: a report never makes a network request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static_prefix = PDF_BASE_URL + settings.STATIC_URL.lstrip("/")

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(static_prefix):
                raise ValueError(f"Reports only load their own static files, not {url}")
            name = url[len(static_prefix) :].split("?")[0]
            if staticfiles_storage.exists(name):
                with staticfiles_storage.open(name) as handle:
                    body = handle.read()
            else:
                path = finders.find(name)
                if not path:
                    raise ValueError(f"No static file {name}")
                with open(path, "rb") as handle:
                    body = handle.read()
            content_type = "text/css" if name.endswith(".css") else "application/octet-stream"
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return StaticOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    """``html`` as a PDF. Keep long sibling lists that a ``~`` selector reaches out
    of the markup: cssselect2 walks ``~`` recursively, one stack frame per earlier
    sibling, and WeasyPrint's UA sheet applies one to ``<option selected>`` (see
    kpi_report.html: the unit picker is left out of the PDF). Table rows are safe."""
    from weasyprint import HTML

    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_static_fetcher()).write_pdf()


# The first PDF in a process paid ~1.5-4 s more than the next ones (cProfile of a
# 60-person report in a fresh process): importing WeasyPrint (cffi's dlopen of
# Pango, HarfBuzz and fontconfig runs ctypes.util.find_library, which spawns
# ldconfig), parsing its user-agent stylesheets, our stylesheets, and Pango's
# first look-up and load of each DejaVu face. A web process pays that at start
# instead (sharekpi/wsgi.py calls warm_pdf), so the first manager to download a
# report waits no longer than the next one. Management commands and tests never
# import the WSGI module, so they do not pay it.
_WARM_HTML = """<!doctype html><html lang="en"><head>
<link rel="stylesheet" href="{static}css/sharekpi.css">
<link rel="stylesheet" href="{static}css/print.css"></head>
<body><article class="report"><header class="report-head"><p class="org">ShareKPI</p>
<h1 class="report-title">KPI report</h1></header>
<table class="report-table listed">
<thead><tr><th>Staff ID</th><th class="num">Points</th></tr></thead>
<tbody><tr><td>A1 <em>e</em></td><td class="num">1</td></tr></tbody>
<tfoot><tr><td>Total</td><td class="num">1</td></tr></tfoot></table>
<p><code style="font-family: 'DejaVu Sans Mono', monospace">0</code></p>
<section class="signatures keep"><div>Prepared by</div><div>Approved by</div></section>
</article></body></html>"""


def warm_pdf() -> float:
    """Render a one-row report to PDF and throw it away; returns the seconds spent.
    Never raises: a failed warm-up only leaves the first report slower."""
    import logging
    import time

    began = time.perf_counter()
    try:
        static = PDF_BASE_URL + settings.STATIC_URL.lstrip("/")
        html_to_pdf(_WARM_HTML.format(static=static))
    except Exception:
        logging.getLogger(__name__).warning("PDF warm-up failed", exc_info=True)
    return time.perf_counter() - began
