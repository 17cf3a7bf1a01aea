"""The follow drive's chart, server-side SVG: followers observed (snapshots, solid
line with dots) against followers expected (baseline + confirmations since the
start, dashed) and, where known, the target (baseline + everyone asked, dotted).

No script and no style attribute (a Content-Security-Policy is coming): the look is
in static/css/presence-growth.css by class, with SVG presentation attributes as the
fallback, so the chart reads in black and white and without the stylesheet. The
numbers are in a table beside it (the template).
"""

from __future__ import annotations

import math

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .growth import DriveProgress

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 40, 42


def _axis(low: int, high: int) -> tuple[int, int, int]:
    """(bottom, top, step) of a y axis around low..high with 4-5 nice ticks."""
    if high <= low:
        high = low + 4
    raw = (high - low) / 4
    power = 10 ** math.floor(math.log10(raw))
    step = max(1, int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))
    return (low // step) * step, int(math.ceil(high / step) * step), step


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def drive_chart(progress: DriveProgress, *, chart_id: str = "drive") -> SafeString:
    points = progress.points
    title = _("Followers of %(account)s: observed against expected") % {
        "account": progress.drive.official_account
    }
    if not points:
        desc = _("No follower snapshots yet: enter one on this page to draw the chart.")
    else:
        desc = _(
            "From %(first)s to %(last)s: observed %(observed_from)s → %(observed_to)s, "
            "expected %(expected_to)s (%(confirmed)s confirmations since the start)."
        ) % {
            "first": date_format(points[0].day),
            "last": date_format(points[-1].day),
            "observed_from": _n(points[0].observed),
            "observed_to": _n(points[-1].observed),
            "expected_to": _n(points[-1].expected),
            "confirmed": _n(points[-1].confirmed),
        }
    out = [
        f'<svg class="growth-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    if not points:
        out.append(
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" '
            f'font-size="14">{escape(desc)}</text></svg>'
        )
        return mark_safe("".join(out))  # escaped text only

    target = progress.target if progress.drive.people_asked is not None else None
    values = [p.observed for p in points] + [p.expected for p in points]
    if target is not None:
        values.append(target)
    low, high, step = _axis(min(values), max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    first_day, last_day = points[0].day, points[-1].day
    span = max((last_day - first_day).days, 1)

    def x(day) -> float:
        return LEFT + plot_w * ((day - first_day).days / span if len(points) > 1 else 0.5)

    def y(value: float) -> float:
        return TOP + plot_h - (value - low) / (high - low) * plot_h

    for tick in range(low, high + 1, step):
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#c9cfd9" stroke-width="1"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
            f'font-size="11">{_n(tick)}</text>'
        )
    labelled = {points[0].day, points[-1].day}
    if len(points) > 2:
        labelled.add(points[len(points) // 2].day)
    for day in sorted(labelled):
        anchor = (
            "start"
            if day == first_day and len(points) > 1
            else "end"
            if day == last_day and len(points) > 1
            else "middle"
        )
        out.append(
            f'<text class="tick" x="{x(day):.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="{anchor}" font-size="11">{escape(date_format(day))}</text>'
        )
    out.append(
        f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
        f'y2="{TOP + plot_h}" stroke="#1d2430" stroke-width="1.2"/>'
    )
    if target is not None:
        out.append(
            f'<line class="series-target" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="#5b6575" stroke-width="1.5" '
            f'stroke-dasharray="2 4"/>'
        )
    expected = " ".join(f"{x(p.day):.1f},{y(p.expected):.1f}" for p in points)
    observed = " ".join(f"{x(p.day):.1f},{y(p.observed):.1f}" for p in points)
    out.append(
        f'<polyline class="series-expected" points="{expected}" fill="none" stroke="#5b6575" '
        f'stroke-width="2" stroke-dasharray="7 4"/>'
        f'<polyline class="series-observed" points="{observed}" fill="none" stroke="#1d2430" '
        f'stroke-width="2.5"/>'
    )
    for p in points:
        label = _("%(day)s: %(observed)s observed, %(expected)s expected") % {
            "day": date_format(p.day),
            "observed": _n(p.observed),
            "expected": _n(p.expected),
        }
        out.append(
            f'<circle class="dot-observed" cx="{x(p.day):.1f}" cy="{y(p.observed):.1f}" r="3.5" '
            f'fill="#1d2430"><title>{escape(label)}</title></circle>'
        )
    legend = [
        ("series-observed", "", _("Observed (snapshots)")),
        ("series-expected", "7 4", _("Expected (confirmations)")),
    ]
    if target is not None:
        legend.append(("series-target", "2 4", _("Everyone asked")))
    lx = LEFT
    for css, dash, text in legend:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line class="{css}" x1="{lx}" x2="{lx + 24}" y1="16" y2="16" stroke="#1d2430" '
            f'stroke-width="2.5"{dash_attr}/><text class="legend" x="{lx + 30}" y="20" '
            f'font-size="12">{escape(text)}</text>'
        )
        lx += 40 + 7 * len(text)
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped or a number
