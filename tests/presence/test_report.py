"""The compliance report and its lists of who is missing: inherited required
platforms, audiences, proofs, confirmations, spot checks, scope by role, drill-down,
CSV, bad input, and a query count that does not grow with the tree."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProofStatus, Role, SocialAccount
from presence import report
from presence.models import (
    FollowConfirmation,
    FollowRequirement,
    RequiredPlatforms,
    SpotCheck,
    SpotCheckKind,
    SpotCheckResult,
)
from tests.factories import UserFactory, make_unit

pytestmark = pytest.mark.django_db


def account(user, platform, *, proven=False):
    return SocialAccount.objects.create(
        user=user,
        platform=platform,
        handle=f"{user.staff_id}_{platform}",
        proof_status=ProofStatus.PROVEN if proven else ProofStatus.UNPROVEN,
    )


def follow(user, official, following=True):
    return FollowConfirmation.objects.create(
        user=user, official_account=official, following=following
    )


@pytest.fixture
def world(hr, governor, channel):
    """HQ requires facebook + instagram; HQ/Comms overrides with x only; HQ/Comms/Quiet
    requires nothing (empty list). The governor must be followed by everyone, the
    channel by HQ/Comms only."""
    hq = make_unit("HQ")
    comms = make_unit("HQ/Comms")
    digital = make_unit("HQ/Comms/Digital")
    quiet = make_unit("HQ/Comms/Quiet")
    finance = make_unit("HQ/Finance")
    RequiredPlatforms.objects.create(unit=hq, platforms=["facebook", "instagram"])
    RequiredPlatforms.objects.create(unit=comms, platforms=["x"])
    RequiredPlatforms.objects.create(unit=quiet, platforms=[])
    FollowRequirement.objects.create(official_account=governor)
    channel_rule = FollowRequirement.objects.create(official_account=channel)
    channel_rule.units.set([comms])
    p = {
        "ana": UserFactory(staff_id="ana", full_name="Ana", unit=digital),
        "ben": UserFactory(staff_id="ben", full_name="Ben", unit=digital),
        "cai": UserFactory(staff_id="cai", full_name="Cai", unit=quiet),
        "dan": UserFactory(staff_id="dan", full_name="Dan", unit=finance),
        "eve": UserFactory(staff_id="eve", full_name="Eve", unit=finance),
        "mgr": UserFactory(staff_id="mgr", full_name="Manager", unit=comms, role=Role.MANAGER),
        "gone": UserFactory(staff_id="gone", unit=finance, is_active=False),
    }
    account(p["ana"], "x", proven=True)
    account(p["ana"], "facebook")  # not required in Comms: not counted
    account(p["dan"], "facebook", proven=True)
    account(p["dan"], "instagram")
    account(p["eve"], "facebook")
    account(p["gone"], "instagram")
    follow(p["ana"], governor)
    follow(p["ben"], governor, following=False)  # un-confirmed
    follow(p["dan"], governor)
    follow(p["ana"], channel)
    follow(p["dan"], channel)  # outside the channel's audience: not counted
    month = timezone.localdate().replace(day=1)
    ana_conf = FollowConfirmation.objects.get(user=p["ana"], official_account=governor)
    dan_conf = FollowConfirmation.objects.get(user=p["dan"], official_account=governor)
    SpotCheck.objects.create(
        kind=SpotCheckKind.FOLLOW, month=month, confirmation=ana_conf, user=p["ana"],
        official_account=governor, result=SpotCheckResult.CONFIRMED,
    )  # fmt: skip
    SpotCheck.objects.create(
        kind=SpotCheckKind.FOLLOW, month=month, confirmation=dan_conf, user=p["dan"],
        official_account=governor, result=SpotCheckResult.NOT_FOUND,
    )  # fmt: skip
    return {"units": {"hq": hq, "comms": comms, "finance": finance, "quiet": quiet}, **p}


def cells(row):
    return (
        {c.platform: (c.required, c.with_account, c.proven) for c in row.platform_cells},
        {
            c.official_account.handle: (c.asked, c.confirmed, c.spot_checked, c.spot_check_failed)
            for c in row.follow_cells
        },
    )


def test_whole_organisation_for_hr(world, hr):
    built = report.build(hr)
    assert built.top is None
    # hana (HR, HQ/People) counts too: HQ's rule reaches her unit.
    assert built.total.people == 7
    platforms, follows = cells(built.total)
    # Required: facebook/instagram for HQ (not Comms): dan, eve, hana; x for Comms but not
    # Quiet: ana, ben, mgr.
    assert platforms == {"facebook": (3, 2, 1), "instagram": (3, 1, 0), "x": (3, 1, 1)}
    assert follows == {"governor": (7, 2, 2, 1), "provincetv": (4, 1, 0, 0)}
    # One head office (HQ): its units are the rows.
    assert [row.unit.name for row in built.rows] == ["Comms", "Finance", "People"]


def test_drill_down_rows_are_the_units_below(world, hr):
    built = report.build(hr, unit=world["units"]["hq"].pk)
    by_name = {row.unit.name: row for row in built.rows}
    assert set(by_name) == {"Comms", "Finance", "People"}
    comms = by_name["Comms"]
    assert comms.people == 4 and comms.has_children
    platforms, follows = cells(comms)
    assert platforms["x"] == (3, 1, 1) and platforms["facebook"] == (0, 0, 0)
    assert follows["provincetv"] == (4, 1, 0, 0)
    finance = by_name["Finance"]
    assert cells(finance)[1]["governor"] == (2, 1, 1, 1)
    assert not finance.has_children


def test_managers_see_their_subtree_only(world):
    manager = world["mgr"]
    built = report.build(manager)
    assert built.top.path == "HQ/Comms" and built.total.people == 4
    assert {row.unit.name for row in built.rows} == {"Digital", "Quiet"}
    with pytest.raises(report.OutOfScope):
        report.build(manager, unit=world["units"]["finance"].pk)
    with pytest.raises(report.OutOfScope):
        report.build(UserFactory(), unit=None)


def test_platform_filter(world, hr):
    built = report.build(hr, platform="x")
    assert built.platforms == ["x"]
    with pytest.raises(report.ReportError):
        report.build(hr, platform="myspace")


def test_missing_lists(world, hr):
    def names(**params):
        filters = report.parse_missing(hr, params)
        return [row[0] for row in report.missing_rows(filters)]

    # Ordered by unit path, then name.
    assert names(kind="no_account", platform="x") == ["mgr", "ben"]
    assert names(kind="no_account", platform="instagram") == ["eve", "hana"]
    assert names(kind="no_account") == ["mgr", "ben", "eve", "hana"]
    governor = FollowRequirement.objects.get(official_account__handle="governor").official_account
    assert names(kind="not_confirmed", official_account=str(governor.pk)) == [
        "mgr", "ben", "cai", "eve", "hana",
    ]  # fmt: skip
    comms = str(world["units"]["comms"].pk)
    # The governor's or the channel's: ana confirmed both, ben un-confirmed.
    assert names(kind="not_confirmed", unit=comms) == ["mgr", "ben", "cai"]


def test_missing_bad_input(world, hr):
    for params in (
        {"kind": "everyone"},
        {"kind": "no_account", "platform": "myspace"},
        {"kind": "not_confirmed", "official_account": "abc"},
        {"kind": "not_confirmed", "official_account": "99999"},
    ):
        with pytest.raises(report.ReportError):
            report.parse_missing(hr, params)


def test_report_page_and_printable(client, world, hr):
    client.force_login(hr)
    page = client.get(reverse("compliance:report"), {"unit": world["units"]["hq"].pk})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Comms" in html and "spot checks failed" in html
    assert "non-follower" not in html.replace("Nobody is called a non-follower", "")
    assert "data-print" in html and "onclick" not in html
    assert "/presence/missing/?kind=no_account" in html


def test_report_page_bad_input(client, world, hr):
    client.force_login(hr)
    assert client.get(reverse("compliance:report"), {"platform": "myspace"}).status_code == 400
    assert client.get(reverse("compliance:report"), {"unit": "99999"}).status_code == 404
    client.force_login(world["mgr"])
    finance = world["units"]["finance"].pk
    assert client.get(reverse("compliance:report"), {"unit": finance}).status_code == 404
    assert client.get(reverse("compliance:missing"), {"kind": "x"}).status_code == 400


def test_missing_page_paginates_and_streams_csv(client, world, hr, settings):
    client.force_login(hr)
    url = reverse("compliance:missing")
    page = client.get(url, {"kind": "no_account"})
    assert page.status_code == 200 and "ben" in page.content.decode()
    csv = client.get(url, {"kind": "no_account", "format": "csv"})
    assert csv.streaming and csv["Content-Type"].startswith("text/csv")
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "staff_id,full_name,unit"
    assert [line.split(",")[0] for line in lines[1:]] == ["mgr", "ben", "eve", "hana"]
    assert lines[2] == "ben,Ben,HQ/Comms/Digital"


def test_api_report_and_missing(client, world, hr):
    client.force_login(hr)
    body = client.get(reverse("api:presence-report"), {"unit": "HQ"}).json()
    assert body["unit"]["path"] == "HQ"
    comms = next(u for u in body["units"] if u["unit"]["name"] == "Comms")
    assert comms["people"] == 4
    x = next(p for p in comms["platforms"] if p["platform"] == "x")
    assert (x["with_account"], x["proven"]) == (1, 1)
    governor = next(a for a in comms["official_accounts"] if a["confirmed"] is not None)
    assert {"confirmed", "spot_checked", "spot_check_failed"} <= set(governor)
    listed = client.get(reverse("api:presence-missing"), {"kind": "no_account"}).json()
    assert listed["count"] == 4
    assert listed["results"][1] == {
        "staff_id": "ben",
        "full_name": "Ben",
        "unit": "HQ/Comms/Digital",
    }
    csv = client.get(reverse("api:presence-missing"), {"kind": "no_account", "format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    bad = client.get(reverse("api:presence-missing"), {"kind": "nope", "format": "csv"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")
    assert client.get(reverse("api:presence-report"), {"platform": "nope"}).status_code == 400


def test_api_scope(client, world):
    client.force_login(world["mgr"])
    body = client.get(reverse("api:presence-report")).json()
    assert body["unit"]["path"] == "HQ/Comms"
    finance = world["units"]["finance"].pk
    assert client.get(reverse("api:presence-report"), {"unit": finance}).status_code == 404
    missing = client.get(reverse("api:presence-missing"), {"kind": "no_account"}).json()
    assert [r["staff_id"] for r in missing["results"]] == ["mgr", "ben"]
    client.force_login(world["ana"])
    assert client.get(reverse("api:presence-report")).status_code == 403
    client.logout()
    assert client.get(reverse("api:presence-missing"), {"format": "csv"}).status_code == 401


def test_query_count_does_not_grow_with_units(world, hr):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            report.build(hr, unit=world["units"]["hq"].pk)
        return len(captured)

    before = count()
    for n in range(15):
        unit = make_unit(f"HQ/Extra {n}/Team")
        UserFactory(unit=unit)
        RequiredPlatforms.objects.create(unit=unit, platforms=["tiktok"])
    assert count() == before


def test_cached_counts_follow_every_change(world, hr, settings):
    settings.SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS = 300
    governor = FollowRequirement.objects.get(official_account__handle="governor").official_account

    def confirmed() -> int:
        total = report.build(hr).total
        return total.follows[governor.pk].confirmed

    assert confirmed() == 2
    follow(world["eve"], governor)
    assert confirmed() == 3
    FollowConfirmation.objects.filter(user=world["eve"]).update(following=False)  # no signal
    assert confirmed() == 3  # a bulk write waits for the time-out
    settings.SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS = 0
    assert confirmed() == 2


def test_the_counts_held_in_process_are_the_shared_ones(world, hr, settings):
    """A process keeps the last counts it read while the shared copy is current (no
    unpickling per request), and drops them when anything is counted again: a change
    here, another process's recount, or the shared copy gone."""
    from django.core.cache import cache

    settings.SHAREKPI_PRESENCE_REPORT_CACHE_SECONDS = 300
    first = report.cached_tree()
    assert report.cached_tree() is first  # held here
    follow(world["eve"], first.accounts[0])  # a change: forget() bumps the generation
    second = report.cached_tree()
    assert second is not first
    assert report.cached_tree() is second
    cache.set(report.STAMP_KEY, "another-process", 300)  # another process recounted
    cache.set(report.CACHE_KEY, (cache.get(report.GENERATION_KEY, 0), "another-process", first))
    assert report.cached_tree() is not second
    cache.clear()  # the shared copy gone (expired, evicted, flushed)
    assert report.cached_tree() is not second


def test_rows_equal_a_count_of_their_own_people(hr, governor):
    """Every row's numbers (rolled up the tree once per count) equal a direct count of
    the active people in its subtree, at every level of a tree of uneven depth."""
    import random

    from django.db.models import Q

    from accounts.models import User

    rng = random.Random(7)
    FollowRequirement.objects.create(official_account=governor)
    RequiredPlatforms.objects.create(unit=make_unit("Org"), platforms=["facebook", "x"])
    paths = ["Org/A", "Org/A/A1", "Org/A/A1/Team", "Org/A/A2", "Org/B", "Org/B/B1", "Org/C"]
    units = [make_unit(p) for p in paths]
    for _ in range(60):
        person = UserFactory(unit=rng.choice(units), is_active=rng.random() > 0.1)
        if rng.random() < 0.6:
            account(person, rng.choice(["facebook", "x", "tiktok"]), proven=rng.random() < 0.5)
        if rng.random() < 0.5:
            follow(person, governor, following=rng.random() < 0.8)

    def expected(unit) -> tuple[int, int, int, int]:
        people = User.objects.filter(is_active=True).filter(
            Q(unit=unit) | Q(unit__path__startswith=f"{unit.path}/")
        )
        return (
            people.count(),
            SocialAccount.objects.filter(user__in=people, platform="facebook").count(),
            SocialAccount.objects.filter(
                user__in=people, platform="x", proof_status="proven"
            ).count(),
            FollowConfirmation.objects.filter(user__in=people, following=True).count(),
        )

    for top in [make_unit("Org"), *units]:
        built = report.build(hr, unit=top.pk)
        by_unit = {row.unit.id: row for row in built.rows} | {top.pk: built.total}
        for unit_id, row in by_unit.items():
            unit = next(u for u in [make_unit("Org"), *units] if u.pk == unit_id)
            got = (
                row.people,
                row.platforms["facebook"].with_account,
                row.platforms["x"].proven,
                row.follows[governor.pk].confirmed,
            )
            assert got == expected(unit), unit.path
