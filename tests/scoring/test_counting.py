"""What counts towards a KPI year: verified shares, once per campaign, inside
the campaign window and the KPI year on the organisation's clock."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.models import ShareStatus
from scoring import selectors, services
from scoring.models import KpiScore

from .conftest import local, make_campaign, make_share, set_status

pytestmark = pytest.mark.django_db

D = datetime.date


def score(user, year=2025) -> KpiScore:
    return KpiScore.objects.get(user=user, year=year)


def full(user, year=2025) -> int:
    services.compute_year(year=year)
    return score(user, year).verified_shares


def test_only_verified_shares_count(org):
    alice = org["alice"]
    for status in ShareStatus.values:
        campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
        make_share(alice, campaign, local(2025, 3, 10), status=status)
    assert score(alice).verified_shares == 1
    assert full(alice) == 1


def test_campaign_counts_once_across_platforms(org):
    alice = org["alice"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    for platform in ("facebook", "x", "tiktok"):
        make_share(alice, campaign, local(2025, 3, 10), platform=platform)
    assert score(alice).verified_shares == 1
    assert full(alice) == 1


def test_share_outside_the_campaign_window_does_not_count(org):
    alice = org["alice"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    make_share(alice, campaign, local(2025, 2, 28, 23, 59), platform="facebook")
    make_share(alice, campaign, local(2025, 4, 1, 0, 0), platform="x")
    assert score(alice).verified_shares == 0
    assert full(alice) == 0


def test_window_edges_are_local_days_inclusive(org):
    """00:30 local on the first day is the day before in UTC; 23:59 local on the
    last day counts; 00:00 local on the next day does not."""
    alice, ali, dana = org["alice"], org["ali"], org["dana"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    make_share(alice, campaign, local(2025, 3, 1, 0, 30))
    make_share(ali, campaign, local(2025, 3, 31, 23, 59))
    make_share(dana, campaign, local(2025, 4, 1, 0, 0))
    assert [score(u).verified_shares for u in (alice, ali, dana)] == [1, 1, 0]
    services.compute_year(year=2025)
    assert [score(u).verified_shares for u in (alice, ali, dana)] == [1, 1, 0]


def test_late_evening_on_31_december_counts_in_that_year(org):
    """23:30 on 31 December in Kuala Lumpur is 15:30 UTC the same day."""
    alice = org["alice"]
    campaign = make_campaign(D(2025, 12, 1), D(2026, 1, 31))
    make_share(alice, campaign, local(2025, 12, 31, 23, 30))
    assert score(alice, 2025).verified_shares == 1
    assert not KpiScore.objects.filter(user=alice, year=2026, verified_shares__gt=0).exists()
    assert full(alice, 2025) == 1
    assert full(alice, 2026) == 0


def test_new_year_in_kuala_lumpur_is_still_the_old_year_in_utc(org):
    """00:30 on 1 January 2026 local is 16:30 UTC on 31 December 2025: it is a
    2026 share, though a UTC ``__year`` would put it in 2025."""
    alice = org["alice"]
    campaign = make_campaign(D(2025, 12, 1), D(2026, 1, 31))
    moment = local(2026, 1, 1, 0, 30)
    assert moment.astimezone(datetime.UTC).year == 2025
    make_share(alice, campaign, moment)
    assert score(alice, 2026).verified_shares == 1
    assert full(alice, 2025) == 0
    assert full(alice, 2026) == 1


def test_year_boundary_in_a_zone_behind_utc(org, settings):
    """In New York 23:30 on 31 December is already next year in UTC: still counts
    in the local year."""
    settings.TIME_ZONE = "America/New_York"
    alice = org["alice"]
    campaign = make_campaign(D(2025, 12, 1), D(2025, 12, 31))
    moment = local(2025, 12, 31, 23, 30, zone=ZoneInfo("America/New_York"))
    assert moment.astimezone(datetime.UTC).year == 2026
    make_share(alice, campaign, moment)
    assert score(alice, 2025).verified_shares == 1
    assert full(alice, 2025) == 1
    assert full(alice, 2026) == 0


def test_removed_share_stops_counting(org):
    alice = org["alice"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    share = make_share(alice, campaign, local(2025, 3, 10))
    assert score(alice).verified_shares == 1
    set_status(share, ShareStatus.REMOVED)
    assert score(alice).verified_shares == 0
    assert full(alice) == 0


def test_removed_platform_leaves_the_campaign_counted_if_another_is_verified(org):
    alice = org["alice"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    first = make_share(alice, campaign, local(2025, 3, 10), platform="facebook")
    make_share(alice, campaign, local(2025, 3, 11), platform="x")
    set_status(first, ShareStatus.REMOVED)
    assert score(alice).verified_shares == 1


def test_points_follow_the_bands(org):
    alice = org["alice"]
    for day in range(1, 7):
        campaign = make_campaign(D(2025, 5, day), D(2025, 5, day))
        make_share(alice, campaign, local(2025, 5, day))
    row = score(alice)
    assert (row.verified_shares, row.points, row.scheme_version) == (6, 2, 1)


def test_kpi_year_can_start_in_another_month(org, settings):
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 4
    assert selectors.kpi_year_bounds(2025) == (local(2025, 4, 1, 0), local(2026, 4, 1, 0))
    assert selectors.kpi_year_label(2025) == "2025/26"
    alice = org["alice"]
    campaign = make_campaign(D(2026, 1, 1), D(2026, 4, 30))
    make_share(alice, campaign, local(2026, 3, 31, 23, 59), platform="facebook")
    make_share(alice, make_campaign(D(2026, 4, 1), D(2026, 4, 2)), local(2026, 4, 1, 0, 1))
    assert score(alice, 2025).verified_shares == 1
    assert score(alice, 2026).verified_shares == 1


def test_full_recompute_gives_everyone_active_a_row(org):
    org["dana"].is_active = False
    org["dana"].save()
    services.compute_year(year=2025)
    rows = dict(KpiScore.objects.filter(year=2025).values_list("user__staff_id", "points"))
    assert set(rows) == {"alice", "ali", "bob", "charlie", "hana", "root"}
    assert set(rows.values()) == {0}


def test_status_changes_that_cannot_move_the_count_write_nothing(org):
    alice = org["alice"]
    campaign = make_campaign(D(2025, 3, 1), D(2025, 3, 31))
    share = make_share(alice, campaign, local(2025, 3, 10), status=ShareStatus.PENDING)
    set_status(share, ShareStatus.NEEDS_REVIEW)
    set_status(share, ShareStatus.REJECTED)
    assert not KpiScore.objects.exists()
