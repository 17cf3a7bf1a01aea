"""Bands: which count gets which points, and every way a scheme can be wrong."""

import pytest

from scoring import bands
from scoring.bands import DEFAULT_BANDS, Band


@pytest.mark.parametrize(
    ("shares", "points"),
    [(0, 0), (1, 1), (5, 1), (6, 2), (15, 2), (16, 3), (30, 3), (31, 4), (49, 4), (50, 5),
     (51, 5), (10_000, 5)],
)  # fmt: skip
def test_default_bands_map_counts_to_points(shares, points):
    assert bands.points_for(shares, DEFAULT_BANDS) == points


def test_default_bands_are_valid():
    assert bands.validate(DEFAULT_BANDS) == []


@pytest.mark.parametrize(
    ("shares", "to_next", "next_points"),
    [(0, 1, 1), (3, 3, 2), (5, 1, 2), (6, 10, 3), (49, 1, 5), (50, None, None), (51, None, None)],
)
def test_shares_to_next_band(shares, to_next, next_points):
    assert bands.shares_to_next_band(shares, DEFAULT_BANDS) == to_next
    upper = bands.next_band(shares, DEFAULT_BANDS)
    assert (upper.points if upper else None) == next_points


def test_next_band_skips_bands_that_give_no_more_points():
    flat = [Band(0, 0, 0), Band(1, 5, 1), Band(6, 9, 1), Band(10, None, 2)]
    assert bands.shares_to_next_band(2, flat) == 8


def test_bands_may_come_in_any_order():
    shuffled = list(reversed(DEFAULT_BANDS))
    assert bands.validate(shuffled) == []
    assert bands.points_for(20, shuffled) == 3


def one_problem(scheme):
    problems = bands.validate(scheme)
    assert len(problems) == 1, problems
    return problems[0]


def test_gap_is_refused():
    message = one_problem([Band(0, 0, 0), Band(1, 5, 1), Band(8, None, 2)])
    assert "Gap" in message and "6 to 7 shares" in message


def test_single_missing_count_is_named():
    message = one_problem([Band(0, 5, 0), Band(7, None, 1)])
    assert "Gap" in message and ": 6 shares" in message


def test_overlap_is_refused():
    message = one_problem([Band(0, 0, 0), Band(1, 10, 1), Band(8, None, 2)])
    assert "overlap" in message and "8 shares" in message


def test_first_band_must_start_at_zero():
    message = one_problem([Band(1, 5, 1), Band(6, None, 2)])
    assert "must start at 0" in message and "starts at 1" in message


def test_last_band_must_be_open():
    message = one_problem([Band(0, 0, 0), Band(1, 49, 1)])
    assert "last band must be open-ended" in message and "50 or more" in message


def test_open_band_before_the_last_is_refused():
    message = one_problem([Band(0, None, 0), Band(1, None, 1)])
    assert "Only the last band may be open-ended" in message


def test_max_below_min_is_refused():
    problems = bands.validate([Band(0, 0, 0), Band(1, 5, 1), Band(6, 4, 2), Band(7, None, 3)])
    assert any("max shares (4) is below min shares (6)" in p for p in problems)


def test_negative_numbers_are_refused():
    problems = bands.validate([Band(0, 0, 0), Band(1, None, -1)])
    assert any("cannot be negative" in p for p in problems)


def test_fewer_points_for_more_shares_is_refused():
    message = one_problem([Band(0, 0, 0), Band(1, 5, 2), Band(6, None, 1)])
    assert "fewer points (1)" in message and "(2)" in message


def test_equal_points_in_neighbouring_bands_are_allowed():
    assert bands.validate([Band(0, 0, 0), Band(1, 5, 1), Band(6, None, 1)]) == []


def test_no_bands_is_refused():
    assert bands.validate([]) == ["Give at least one band (the default scheme has six)."]


def test_each_problem_gets_its_own_message():
    problems = bands.validate([Band(2, 3, 2), Band(5, 9, 1)])
    # starts at 2, gap 4, fewer points, closed last band
    assert len(problems) == 4


def test_parse_rows_reads_form_text():
    parsed, errors = bands.parse_rows([("0", "0", "0"), ("1", "", "1"), ("", "", "")])
    assert errors == []
    assert parsed == [Band(0, 0, 0), Band(1, None, 1)]


def test_parse_rows_names_values_that_are_not_numbers():
    parsed, errors = bands.parse_rows([("0", "x", "0"), ("1", "", "")])
    assert errors == [
        "Row 1: max shares must be a whole number (“x”).",
        "Row 2: points must be a whole number (empty).",
    ]
    assert parsed == []


def test_absurdly_large_numbers_are_refused():
    message = one_problem([Band(0, 0, 0), Band(1, None, 5000)])
    assert "points 5000 is above 1000" in message
