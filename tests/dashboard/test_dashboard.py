"""The HR dashboard: on a small hand-built organisation its numbers are the ones a
person counts by hand; managers see their units only; staff are refused; the CSV
exports hold exactly the missing people; the leaderboard waits for HR; and the
page runs the same number of queries however much data there is.

The organisation (see conftest): HQ ⊃ HQ/Comms ⊃ HQ/Comms/Digital, and HQ/Finance.
Active: alice (Digital), ali, bob (manager) in Comms; charlie (manager), dana in
Finance; hana (HR) and root in HQ. eve (Finance) has left. Social accounts: alice,
dana, hana.

Campaigns of 2025: "Budget" (everyone, 3 to 16 Mar, facebook + instagram) and "Finance
week" (HQ/Finance only, 5 to 11 May). Shares:

    alice   Budget  facebook   4 Mar  verified
    alice   Budget  instagram  5 Mar  verified
    ali     Budget  facebook  11 Mar  needs review
    bob     Budget  facebook  12 Mar  pending
    dana    Budget  facebook  13 Mar  verified
    dana    Finance facebook   6 May  verified
    charlie Finance facebook   7 May  rejected
"""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from accounts.models import Platform
from campaigns.models import CampaignPost, Share, ShareStatus
from campaigns.services import announce_status_change
from dashboard import selectors as dashboard_selectors
from dashboard import stats as dashboard
from dashboard.models import DashboardSettings
from tests.factories import SocialAccountFactory, UserFactory, make_unit

from .conftest import KL, local, make_campaign, set_status

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/dashboard/"
CSV_URL = "/dashboard/missing.csv"


def log_share(staff, campaign, when, *, platform="facebook", status=ShareStatus.PENDING) -> Share:
    """A share logged the way submit_share logs one (row + 'pending' signal in one
    transaction), then moved to ``status`` the way verification and review do."""
    with transaction.atomic():
        share = Share.objects.create(
            staff=staff,
            campaign=campaign,
            url=f"https://www.{platform}.com/{staff.staff_id}/posts/{campaign.pk}",
            normalized_url=f"https://www.{platform}.com/{staff.staff_id}/posts/{campaign.pk}",
            platform=platform,
            submitted_at=when,
        )
        announce_status_change(share=share, old_status=None, new_status=ShareStatus.PENDING)
    if status != ShareStatus.PENDING:
        share = set_status(share, status)
    return share


@pytest.fixture(autouse=True)
def june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 16, 10, 0, tzinfo=KL), tick=False):
        yield


@pytest.fixture
def world(org):
    people = dict(org)
    people["eve"] = UserFactory(
        staff_id="eve", full_name="Eve Former", unit="HQ/Finance", is_active=False
    )
    for name in ("alice", "dana", "hana"):
        SocialAccountFactory(user=people[name])
    budget = make_campaign(D(2025, 3, 3), D(2025, 3, 16), title="Budget")
    for platform in (Platform.FACEBOOK, Platform.INSTAGRAM):
        CampaignPost.objects.create(
            campaign=budget,
            url=f"https://www.{platform}.com/agency/posts/1",
            normalized_url=f"https://www.{platform}.com/agency/posts/1",
            platform=platform,
        )
    finance = make_campaign(D(2025, 5, 5), D(2025, 5, 11), title="Finance week")
    finance.units.set([make_unit("HQ/Finance")])
    log_share(people["alice"], budget, local(2025, 3, 4), status=ShareStatus.VERIFIED)
    log_share(people["alice"], budget, local(2025, 3, 5), platform="instagram", status="verified")
    log_share(people["ali"], budget, local(2025, 3, 11), status=ShareStatus.NEEDS_REVIEW)
    log_share(people["bob"], budget, local(2025, 3, 12))
    log_share(people["dana"], budget, local(2025, 3, 13), status=ShareStatus.VERIFIED)
    log_share(people["dana"], finance, local(2025, 5, 6), status=ShareStatus.VERIFIED)
    log_share(people["charlie"], finance, local(2025, 5, 7), status=ShareStatus.REJECTED)
    return {**people, "budget": budget, "finance": finance}


def board_for(user, **params):
    filters = dashboard_selectors.parse_filters(user, {"year": "2025", **params})
    return dashboard_selectors.build(filters)


def week(board, day):
    point = next(w for w in board.weeks if w.week_start == day)
    return point.logged, point.verified


def units(board):
    return {r.label: (r.people, r.participants, r.shares, r.logged) for r in board.units}


def campaigns(board):
    return {
        r.campaign.title: (
            r.audience,
            r.shared_staff,
            r.verified_staff,
            {p.platform: (p.logged, p.verified) for p in r.platforms},
        )
        for r in board.campaigns
    }


def check_hand_counts(world):
    hana, bob = world["hana"], world["bob"]
    board = board_for(hana)
    t = board.totals
    assert (t.people, t.participants, t.verified, t.logged) == (7, 2, 4, 7)
    assert (t.pending, t.needs_review, t.rejected, t.removed) == (1, 1, 1, 0)
    assert round(t.rate, 1) == 28.6
    assert round(t.average_points, 2) == 0.29  # 2 points over 7 people
    assert week(board, D(2025, 3, 3)) == (2, 2)
    assert week(board, D(2025, 3, 10)) == (3, 1)
    assert week(board, D(2025, 5, 5)) == (2, 1)
    assert sum(w.logged for w in board.weeks) == 7
    assert [(b.points, b.people) for b in board.bands] == [
        (0, 5),
        (1, 2),
        (2, 0),
        (3, 0),
        (4, 0),
        (5, 0),
    ]
    by_unit = {"Comms": (3, 1, 2, 4), "Finance": (2, 1, 2, 3), "HQ (directly)": (2, 0, 0, 0)}
    assert units(board) == by_unit  # one top unit: the table starts below it
    assert campaigns(board) == {
        "Budget": (7, 4, 2, {"facebook": (4, 2), "instagram": (1, 1)}),
        "Finance week": (2, 2, 1, {"facebook": (2, 1)}),
    }

    hq = board_for(hana, unit=str(make_unit("HQ").pk))
    assert units(hq) == by_unit

    mine = board_for(bob)  # bob manages HQ/Comms
    t = mine.totals
    assert (t.people, t.participants, t.verified, t.logged, t.pending, t.needs_review) == (
        3,
        1,
        2,
        4,
        1,
        1,
    )
    assert units(mine) == {"Digital": (1, 1, 2, 2), "Comms (directly)": (2, 0, 0, 2)}
    assert campaigns(mine) == {"Budget": (3, 3, 1, {"facebook": (3, 1), "instagram": (1, 1)})}

    only_finance = board_for(hana, campaign=str(world["finance"].pk))
    t = only_finance.totals
    assert (t.people, t.participants, t.shared_staff, t.verified, t.logged) == (2, 1, 2, 1, 2)
    assert week(only_finance, D(2025, 3, 10)) == (0, 0)
    hq_finance = board_for(hana, unit=str(make_unit("HQ").pk), campaign=str(world["finance"].pk))
    assert units(hq_finance) == {
        "Comms": (0, 0, 0, 0),
        "Finance": (2, 1, 1, 2),
        "HQ (directly)": (0, 0, 0, 0),
    }


def test_numbers_match_a_hand_count(world):
    check_hand_counts(world)


def test_a_full_rebuild_gives_the_same_numbers(world):
    dashboard.refresh_stats()
    check_hand_counts(world)


def test_missing_lists_hold_exactly_the_missing_people(world):
    hana, bob = world["hana"], world["bob"]

    def ids(user, kind, **params):
        filters = dashboard_selectors.parse_filters(user, {"year": "2025", **params})
        return [row[0] for row in dashboard_selectors.missing_people(filters, kind)]

    assert ids(hana, "no_shares") == ["hana", "root", "ali", "bob", "charlie"]  # unit, name
    assert ids(hana, "no_account") == ["root", "ali", "bob", "charlie"]
    assert ids(bob, "no_shares") == ["ali", "bob"]
    assert ids(bob, "no_account") == ["ali", "bob"]
    assert ids(hana, "no_shares", campaign=str(world["finance"].pk)) == ["charlie"]
    assert ids(hana, "no_shares", campaign=str(world["budget"].pk)) == [
        "hana",
        "root",
        "ali",
        "bob",
        "charlie",
    ]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_exports_contain_exactly_the_missing_people(world, client):
    client.force_login(world["hana"])
    response = client.get(CSV_URL, {"kind": "no_shares", "year": 2025})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["staff_id", "full_name", "email", "unit"]
    assert sorted(r[0] for r in rows[1:]) == ["ali", "bob", "charlie", "hana", "root"]
    assert ["ali", "Ali bin Abu", "ali@example.com", "HQ/Comms"] in rows

    rows = read_csv(client.get(CSV_URL, {"kind": "no_account", "year": 2025}))
    assert sorted(r[0] for r in rows[1:]) == ["ali", "bob", "charlie", "root"]

    finance = make_unit("HQ/Finance")
    rows = read_csv(client.get(CSV_URL, {"kind": "no_shares", "unit": finance.pk}))
    assert [r[0] for r in rows[1:]] == ["charlie"]

    client.force_login(world["bob"])
    rows = read_csv(client.get(CSV_URL, {"kind": "no_shares", "year": 2025}))
    assert [r[0] for r in rows[1:]] == ["ali", "bob"]
    assert client.get(CSV_URL, {"kind": "no_shares", "unit": finance.pk}).status_code == 404
    assert client.get(CSV_URL, {"kind": "everyone"}).status_code == 400


def test_page_shows_the_numbers(world, client):
    client.force_login(world["hana"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dashboard 2025" in html
    assert re.search(r'<div class="value">7</div><div class="label">staff in scope', html)
    assert re.search(r'<div class="value">2</div><div class="label">participating', html)
    assert "28.6% of staff" in html
    assert reverse("review:review_queue") in html  # HR: pending / review counts link there
    assert html.count('<svg class="chart"') == 2
    assert '<title id="weekly-title">' in html and '<desc id="bands-desc">' in html
    assert "Ali bin Abu" in html  # missing lists
    assert f"{CSV_URL}?year=2025&amp;kind=no_shares" in html


def test_manager_sees_their_units_only(world, client):
    client.force_login(world["bob"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ali bin Abu" in html
    assert "Dana Raj" not in html and "Charlie Wong" not in html
    assert "Finance week" not in html
    assert reverse("review:review_queue") not in html
    finance = make_unit("HQ/Finance")
    assert client.get(URL, {"unit": finance.pk}).status_code == 404
    assert client.get(URL, {"unit": "HQ"}).status_code == 404
    assert client.get(URL, {"campaign": world["finance"].pk}).status_code == 404
    digital = make_unit("HQ/Comms/Digital")
    assert client.get(URL, {"unit": digital.pk}).status_code == 200


def test_bad_filters(world, client):
    client.force_login(world["hana"])
    assert client.get(URL, {"year": "soon"}).status_code == 400
    assert client.get(URL, {"campaign": "x"}).status_code == 400
    assert client.get(URL, {"campaign": 999999}).status_code == 404
    assert client.get(URL, {"unit": 999999}).status_code == 404
    assert client.get(URL, {"sort": "nonsense"}).status_code == 200


def test_staff_are_refused_and_anonymous_sent_to_log_in(world, client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(world["alice"])
    assert client.get(URL).status_code == 403
    assert client.get(CSV_URL, {"kind": "no_shares"}).status_code == 403
    assert client.post("/dashboard/settings/", {"leaderboard": "on"}).status_code == 403
    client.force_login(world["bob"])
    assert client.post("/dashboard/settings/", {"leaderboard": "on"}).status_code == 403
    assert not DashboardSettings.load().leaderboard_enabled


def test_units_sort_by_the_column_in_the_url(world, client):
    hq = make_unit("HQ")
    client.force_login(world["hana"])

    def order(sort):
        board = board_for(world["hana"], unit=str(hq.pk), sort=sort)
        return [r.label for r in board.units]

    assert order("name") == ["Comms", "Finance", "HQ (directly)"]
    assert order("-people") == ["Comms", "Finance", "HQ (directly)"]
    assert order("rate") == ["HQ (directly)", "Comms", "Finance"]
    html = client.get(URL, {"unit": hq.pk, "sort": "-rate"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert f"?year=2025&amp;unit={hq.pk}&amp;sort=rate" in html  # click again: ascending
    comms = make_unit("HQ/Comms")
    assert f"?year=2025&amp;unit={comms.pk}&amp;sort=-rate" in html  # drill down keeps it


def test_leaderboard_is_off_until_hr_turns_it_on(world, client):
    client.force_login(world["bob"])
    assert "Dana Raj" not in client.get(URL).content.decode()
    client.force_login(world["hana"])
    html = client.get(URL).content.decode()
    assert "Leaderboard" in html and "Show the leaderboard" in html
    assert re.search(r'<button[^>]*value="on"[^>]*data-confirm="Show the leaderboard\?', html)
    assert board_for(world["hana"]).leaderboard is None

    response = client.post(
        "/dashboard/settings/", {"leaderboard": "on", "next": "/dashboard/?year=2025"}
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/?year=2025"
    row = DashboardSettings.objects.get()
    assert row.leaderboard_enabled and row.updated_by == world["hana"]
    assert row.updated_at == datetime.datetime(2025, 6, 16, 10, 0, tzinfo=KL)

    board = board_for(world["hana"])
    assert [(p["rank"], p["staff_id"], p["verified_shares"]) for p in board.leaderboard] == [
        (1, "dana", 2),
        (2, "alice", 1),
    ]
    html = client.get(URL).content.decode()
    assert "Hide the leaderboard" in html and "Turned on by Hana Aziz" in html
    assert "<td>dana</td><td>Dana Raj</td>" in html  # staff IDs beside the names
    client.force_login(world["bob"])
    html = client.get(URL).content.decode()
    assert "Alice Tan" in html and "Dana Raj" not in html  # his scope only

    client.force_login(world["hana"])
    response = client.post(
        "/dashboard/settings/", {"leaderboard": "off", "next": "https://x.example/"}
    )
    assert response["Location"] == URL
    assert not DashboardSettings.load().leaderboard_enabled
    assert client.post("/dashboard/settings/", {}).status_code == 400


# --- bounded queries ------------------------------------------------------------------------


def grow(world, *, units: int, people_per_unit: int, campaigns: int):
    """More of everything: units under HQ/Comms, people, campaigns and shares."""
    for u in range(units):
        unit = make_unit(f"HQ/Comms/Team {u}/Squad")
        for p in range(people_per_unit):
            person = UserFactory(unit=unit)
            if p % 2:
                SocialAccountFactory(user=person)
            for c in range(campaigns):
                campaign = world.setdefault(
                    f"c{c}", make_campaign(D(2025, 4, 1 + c), D(2025, 4, 20 + c))
                )
                if (p + c) % 3:
                    log_share(
                        person,
                        campaign,
                        local(2025, 4, 2 + c + p % 10),
                        status=[ShareStatus.VERIFIED, ShareStatus.PENDING][(p + c) % 2],
                    )


def count_queries(client, user, django_assert_max_num_queries, bound, **params):
    client.force_login(user)
    with django_assert_max_num_queries(bound):
        response = client.get(URL, params)
    assert response.status_code == 200


# Session, user, the fold of waiting share-count notes (at most 9 statements per batch of
# 5,000 notes; 3 when none wait), then the dashboard's own (at most 23, every filter on).
QUERY_BOUND = 34


@pytest.mark.parametrize("size", ["small", "larger"])
def test_the_number_of_queries_does_not_grow_with_the_data(
    size, world, client, django_assert_max_num_queries
):
    if size == "larger":
        grow(world, units=6, people_per_unit=8, campaigns=4)
    DashboardSettings.objects.create(pk=1, leaderboard_enabled=True)
    hq = make_unit("HQ")
    for user, params in [
        (world["hana"], {}),
        (world["hana"], {"unit": hq.pk, "sort": "-rate"}),
        (world["hana"], {"campaign": world["budget"].pk, "unit": hq.pk}),
        (world["bob"], {}),
    ]:
        count_queries(client, user, django_assert_max_num_queries, QUERY_BOUND, **params)


def test_a_small_share_is_not_shown_as_zero_percent():
    from types import SimpleNamespace

    from dashboard import charts

    assert charts.percent_text(0) == "0%"
    assert charts.percent_text(0.2) == "<1%"
    assert charts.percent_text(0.6) == "1%"
    assert charts.percent_text(99.7) == ">99%"
    assert charts.percent_text(100) == "100%"
    rows = [
        SimpleNamespace(points=0, label="0", people=999, percent=99.9),
        SimpleNamespace(points=5, label="1+", people=1, percent=0.1),
    ]
    svg = str(charts.band_distribution(rows))
    assert "1 · &lt;1%" in svg and "999 · &gt;99%" in svg and " 0%" not in svg
