"""Scoring bands as plain values: which band a count falls in, how far the
next band is, and whether a set of bands is a usable scheme.

Pure functions, no database: the scheme page, the API and the scoring
services all call these, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

EN_DASH = "\u2013"
# Far above any real scheme; keeps values inside the database columns.
MAX_SHARES = 1_000_000
MAX_POINTS = 1_000


@dataclass(frozen=True)
class Band:
    """``min_shares``..``max_shares`` verified shares (inclusive) give ``points``.
    ``max_shares`` None = open-ended (the top band)."""

    min_shares: int
    max_shares: int | None
    points: int

    def contains(self, count: int) -> bool:
        return count >= self.min_shares and (self.max_shares is None or count <= self.max_shares)

    @property
    def label(self) -> str:
        if self.max_shares is None:
            return f"{self.min_shares}+"
        if self.max_shares == self.min_shares:
            return str(self.min_shares)
        return f"{self.min_shares}{EN_DASH}{self.max_shares}"

    def as_dict(self) -> dict:
        return {"min_shares": self.min_shares, "max_shares": self.max_shares, "points": self.points}


DEFAULT_BANDS: tuple[Band, ...] = (
    Band(0, 0, 0),
    Band(1, 5, 1),
    Band(6, 15, 2),
    Band(16, 30, 3),
    Band(31, 49, 4),
    Band(50, None, 5),
)


def ordered(bands: Iterable[Band]) -> list[Band]:
    return sorted(bands, key=lambda b: (b.min_shares, b.max_shares is None, b.max_shares or 0))


def _describe(position: int, band: Band) -> str:
    if band.max_shares is None:
        return _("band %(position)s (%(min)s or more shares)") % {
            "position": position,
            "min": band.min_shares,
        }
    return _("band %(position)s (%(min)s to %(max)s shares)") % {
        "position": position,
        "min": band.min_shares,
        "max": band.max_shares,
    }


def _capitalised(text: str) -> str:
    return f"{text[0].upper()}{text[1:]}"


# The three values of a band, as the messages name them.
MIN_SHARES = gettext_lazy("min shares")
MAX_SHARES_NAME = gettext_lazy("max shares")
POINTS = gettext_lazy("points")


def validate(bands: Sequence[Band]) -> list[str]:
    """Every problem with ``bands``, one message each; an empty list means usable.

    Usable = sorted by ``min_shares`` the bands start at 0, follow each other
    without gaps or overlaps, end with an open band, and never give fewer
    points for more shares.
    """
    if not bands:
        return [_("Give at least one band (the default scheme has six).")]
    errors: list[str] = []
    rows = ordered(bands)
    for i, band in enumerate(rows, start=1):
        negatives = [
            name
            for name, value in (
                (MIN_SHARES, band.min_shares),
                (MAX_SHARES_NAME, band.max_shares),
                (POINTS, band.points),
            )
            if value is not None and value < 0
        ]
        if negatives:
            errors.append(
                _("Band %(band)s: %(values)s cannot be negative (got %(got)s).")
                % {
                    "band": i,
                    "values": _(" and ").join(str(name) for name in negatives),
                    "got": f"{band.min_shares}, {band.max_shares}, {band.points}",
                }
            )
        too_big = [
            _("%(name)s %(value)s is above %(limit)s")
            % {"name": name, "value": value, "limit": limit}
            for name, value, limit in (
                (MIN_SHARES, band.min_shares, MAX_SHARES),
                (MAX_SHARES_NAME, band.max_shares, MAX_SHARES),
                (POINTS, band.points, MAX_POINTS),
            )
            if value is not None and value > limit
        ]
        if too_big:
            errors.append(
                _("Band %(band)s: %(problems)s.") % {"band": i, "problems": "; ".join(too_big)}
            )
        if band.max_shares is not None and band.max_shares < band.min_shares:
            errors.append(
                _("Band %(band)s: max shares (%(max)s) is below min shares (%(min)s).")
                % {"band": i, "max": band.max_shares, "min": band.min_shares}
            )
    first = rows[0]
    if first.min_shares != 0:
        errors.append(
            _(
                "The first band must start at 0 shares, so that people with no verified share "
                "still get a band; it starts at %(min)s."
            )
            % {"min": first.min_shares}
        )
    for i, (band, following) in enumerate(pairwise(rows), start=1):
        here, there = _describe(i, band), _describe(i + 1, following)
        if band.max_shares is None:
            errors.append(
                _(
                    "Only the last band may be open-ended: %(here)s has no maximum, "
                    "so it overlaps %(there)s."
                )
                % {"here": here, "there": there}
            )
        elif following.min_shares > band.max_shares + 1:
            missing_to = following.min_shares - 1
            missing = (
                str(band.max_shares + 1)
                if missing_to == band.max_shares + 1
                else _("%(first)s to %(last)s") % {"first": band.max_shares + 1, "last": missing_to}
            )
            errors.append(
                _("Gap between %(here)s and %(there)s: %(missing)s shares would fall in no band.")
                % {"here": here, "there": there, "missing": missing}
            )
        elif following.min_shares <= band.max_shares:
            errors.append(
                _("%(here)s and %(there)s overlap: %(count)s shares would fall in both.")
                % {"here": _capitalised(here), "there": there, "count": following.min_shares}
            )
        if following.points < band.points:
            errors.append(
                _(
                    "%(there)s gives fewer points (%(fewer)s) than %(here)s (%(more)s); "
                    "more shares must never give fewer points."
                )
                % {
                    "there": _capitalised(there),
                    "fewer": following.points,
                    "here": here,
                    "more": band.points,
                }
            )
    last = rows[-1]
    if last.max_shares is not None:
        errors.append(
            _(
                "The last band must be open-ended (leave max shares empty): with it ending at "
                "%(max)s, %(beyond)s or more shares would fall in no band."
            )
            % {"max": last.max_shares, "beyond": last.max_shares + 1}
        )
    return errors


def band_for(count: int, bands: Sequence[Band]) -> Band:
    """The band ``count`` falls in. ``bands`` must be valid."""
    for band in ordered(bands):
        if band.contains(count):
            return band
    raise ValueError(f"No band covers {count} shares; the scheme is invalid.")


def points_for(count: int, bands: Sequence[Band]) -> int:
    return band_for(count, bands).points


def next_band(count: int, bands: Sequence[Band]) -> Band | None:
    """The first band above ``count``'s that gives more points (None at the top)."""
    current = band_for(count, bands)
    for band in ordered(bands):
        if band.min_shares > count and band.points > current.points:
            return band
    return None


def shares_to_next_band(count: int, bands: Sequence[Band]) -> int | None:
    """How many more verified shares reach more points; None at the top band."""
    upper = next_band(count, bands)
    return None if upper is None else upper.min_shares - count


def parse_rows(rows: Iterable[tuple[str, str, str]]) -> tuple[list[Band], list[str]]:
    """Bands from form text (min, max, points per row). Rows left fully empty are
    skipped; an empty max means open-ended. Returns the bands and one message
    per value that is not a whole number."""
    bands: list[Band] = []
    errors: list[str] = []
    for line, raw in enumerate(rows, start=1):
        texts = [(value or "").strip() for value in raw]
        if not any(texts):
            continue
        values: list[int | None] = []
        for name, text in zip((MIN_SHARES, MAX_SHARES_NAME, POINTS), texts, strict=True):
            if text == "" and name is MAX_SHARES_NAME:
                values.append(None)
                continue
            try:
                values.append(int(text))
            except ValueError:
                shown = f"“{text}”" if text else _("empty")
                errors.append(
                    _("Row %(row)s: %(name)s must be a whole number (%(value)s).")
                    % {"row": line, "name": name, "value": shown}
                )
        if len(values) == 3:
            minimum, maximum, points = values
            bands.append(Band(int(minimum or 0), maximum, int(points or 0)))
    return bands, errors
