"""Server-side SVG charts for the dashboard: no JavaScript, no chart library.

Every chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` (what screen
readers announce), reads in black and white (series differ by pattern and are labelled
directly, never by colour alone) and scales to its container through its ``viewBox``.
The numbers are also printed as a table next to each chart by the template.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

INK = "#1d2430"
MUTED = "#5b6575"
GRID = "#c9cfd9"
FONT = 'font-family="system-ui, sans-serif"'


def nice_ceiling(value: float) -> tuple[int, int]:
    """An axis top at or above ``value`` and a tick step: 1, 2 or 5 times a power of ten,
    with four or five ticks."""
    if value <= 0:
        return 4, 1
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    return int(math.ceil(value / step) * step), step


def _fmt(n: float) -> str:
    """A whole number as the reader's language writes it (1,234 / 1.234)."""
    return number_format(round(n), 0, force_grouping=True)


def percent_text(value: float) -> str:
    """A share as a whole percentage in the reader's language that never says 0 % for
    a share that is not nothing, nor 100 % for one that is not everyone: "<1%" and
    ">99%" instead."""
    if 0 < value < 0.5:
        return _("<%(percent)s%%") % {"percent": number_format(1, 0)}
    if 99.5 <= value < 100:
        return _(">%(percent)s%%") % {"percent": number_format(99, 0)}
    return _("%(percent)s%%") % {"percent": number_format(round(value), 0)}


_percent = percent_text


def _header(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _hatch(pattern_id: str) -> str:
    """Diagonal hatching: tells a series apart on a black-and-white printout."""
    return (
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{MUTED}" stroke-width="2.2"/></pattern>'
    )


def weekly_shares(weeks: Sequence, *, chart_id: str = "weekly", title: str = "") -> SafeString:
    """Shares logged (hatched, outlined) with the verified ones (solid) in front, one
    bar pair per week. ``weeks`` items have ``week_start``, ``logged`` and ``verified``."""
    width, height = 760, 260
    left, right, top, bottom = 48, 12, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    total_logged = sum(w.logged for w in weeks)
    total_verified = sum(w.verified for w in weeks)
    peak = max((w.logged for w in weeks), default=0)
    axis_top, step = nice_ceiling(peak)
    desc = (
        _(
            "%(weeks)s weeks: %(logged)s shares logged, %(verified)s verified. "
            "Busiest week: %(peak)s logged."
        )
        % {
            "weeks": len(weeks),
            "logged": _fmt(total_logged),
            "verified": _fmt(total_verified),
            "peak": _fmt(peak),
        }
        if weeks
        else _("No weeks to show yet.")
    )
    out = _header(chart_id, title or _("Shares per week"), desc, width, height)
    out.append(f"<defs>{_hatch(f'{chart_id}-hatch')}</defs>")

    def y(value: float) -> float:
        return top + plot_h - (value / axis_top) * plot_h

    # Grid and the y axis.
    for tick in range(0, axis_top + 1, step):
        ty = y(tick)
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}" {FONT}>{_fmt(tick)}</text>'
        )
    slot = plot_w / max(len(weeks), 1)
    bar = max(2.0, slot * 0.72)
    month_seen: set[tuple[int, int]] = set()
    for i, week in enumerate(weeks):
        x = left + i * slot + (slot - bar) / 2
        label = _("Week of %(week)s: %(logged)s logged, %(verified)s verified") % {
            "week": date_format(week.week_start),
            "logged": week.logged,
            "verified": week.verified,
        }
        out.append(f"<g><title>{escape(label)}</title>")
        if week.logged:
            out.append(
                f'<rect x="{x:.1f}" y="{y(week.logged):.1f}" width="{bar:.1f}" '
                f'height="{y(0) - y(week.logged):.1f}" fill="url(#{chart_id}-hatch)" '
                f'stroke="{INK}" stroke-width="0.8"/>'
            )
        if week.verified:
            out.append(
                f'<rect x="{x:.1f}" y="{y(week.verified):.1f}" width="{bar:.1f}" '
                f'height="{y(0) - y(week.verified):.1f}" fill="{INK}"/>'
            )
        out.append("</g>")
        # A month label under the first week that starts in each month.
        month = (week.week_start.year, week.week_start.month)
        if month not in month_seen and (i > 0 or week.week_start.day <= 7):
            month_seen.add(month)
            out.append(
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(0):.1f}" y2="{y(0) + 4:.1f}" '
                f'stroke="{INK}"/><text x="{x:.1f}" y="{y(0) + 16:.1f}" font-size="11" '
                f'fill="{INK}" {FONT}>{escape(date_format(week.week_start, "M"))}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{y(0):.1f}" y2="{y(0):.1f}" '
        f'stroke="{INK}" stroke-width="1.2"/>'
    )
    # Legend, labelled directly at the top.
    logged_text = _("Logged (any status): %(count)s") % {"count": _fmt(total_logged)}
    verified_text = _("Verified: %(count)s") % {"count": _fmt(total_verified)}
    out.append(
        f'<g font-size="12" fill="{INK}" {FONT}>'
        f'<rect x="{left}" y="8" width="14" height="14" fill="url(#{chart_id}-hatch)" '
        f'stroke="{INK}" stroke-width="0.8"/>'
        f'<text x="{left + 20}" y="19">{escape(logged_text)}</text>'
        f'<rect x="{left + 240}" y="8" width="14" height="14" fill="{INK}"/>'
        f'<text x="{left + 260}" y="19">{escape(verified_text)}</text></g>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped or a number


def band_distribution(rows: Sequence, *, chart_id: str = "bands", title: str = "") -> SafeString:
    """One bar per points value, each labelled with its head count and share of people.
    ``rows`` items have ``points``, ``label``, ``people`` and ``percent``."""
    width, height = 520, 250
    left, right, top, bottom = 20, 20, 30, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((r.people for r in rows), default=0) or 1
    people = sum(r.people for r in rows)
    desc = "; ".join(
        ngettext(
            "%(points)s point (%(label)s): %(people)s people, %(percent)s",
            "%(points)s points (%(label)s): %(people)s people, %(percent)s",
            r.points,
        )
        % {
            "points": r.points,
            "label": r.label,
            "people": _fmt(r.people),
            "percent": _percent(r.percent),
        }
        for r in rows
    ) or _("No people in scope.")
    out = _header(
        chart_id,
        title or _("People per KPI points"),
        _("%(people)s people. %(details)s") % {"people": _fmt(people), "details": desc},
        width,
        height,
    )
    slot = plot_w / max(len(rows), 1)
    bar = min(64.0, slot * 0.6)
    base = top + plot_h
    for i, row in enumerate(rows):
        x = left + i * slot + (slot - bar) / 2
        h = plot_h * row.people / peak
        cx = x + bar / 2
        title_text = _("%(points)s points (%(label)s): %(people)s people") % {
            "points": row.points,
            "label": row.label,
            "people": _fmt(row.people),
        }
        points_text = ngettext("%(points)s pt", "%(points)s pts", row.points) % {
            "points": row.points
        }
        out.append(
            f"<g><title>{escape(title_text)}</title>"
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
            f'fill="{INK}"/>'
            f'<text x="{cx:.1f}" y="{base - h - 6:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="{INK}" {FONT}>'
            f"{_fmt(row.people)} · {escape(_percent(row.percent))}</text>"
            f'<text x="{cx:.1f}" y="{base + 17:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="{INK}" {FONT}>{escape(points_text)}</text>'
            f'<text x="{cx:.1f}" y="{base + 33:.1f}" text-anchor="middle" font-size="10.5" '
            f'fill="{MUTED}" {FONT}>{escape(row.label)}</text></g>'
        )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{base}" y2="{base}" stroke="{INK}" '
        f'stroke-width="1.2"/>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped or a number


def meter(percent: float, *, label: str = "") -> SafeString:
    """A small horizontal bar for a table cell (0 to 100 %); prints, unlike CSS backgrounds."""
    value = max(0.0, min(100.0, percent))
    text = escape(label or _percent(value))
    return mark_safe(  # numbers and escaped text only
        f'<svg class="meter" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" '
        f'aria-label="{text}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect x="0" y="0" width="100" height="10" fill="#fff" stroke="{MUTED}" '
        f'stroke-width="0.6" vector-effect="non-scaling-stroke"/>'
        f'<rect x="0" y="0" width="{value:.1f}" height="10" fill="{INK}"/></svg>'
    )
