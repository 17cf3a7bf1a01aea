"""Follower snapshots entered by HR and follow drives: the rules, the page, the API,
bad input, and the demo's seed drive."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEntry
from presence import growth, growth_demo
from presence.growth_chart import drive_chart
from presence.models import FollowConfirmation, FollowDrive, FollowerSnapshot
from tests.factories import UserFactory, days_from_today, make_unit

pytestmark = pytest.mark.django_db


def confirm(user, account, *, days_ago: int = 0, following: bool = True):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return FollowConfirmation.objects.create(
        user=user, official_account=account, confirmed_at=at, following=following
    )


# --- snapshots: the rules ------------------------------------------------------------------


def test_hr_records_a_snapshot_and_it_is_audited(hr, governor):
    snapshot = growth.record_snapshot(
        official_account=governor, taken_on=days_from_today(-1), followers=7_200, actor=hr
    )
    assert (snapshot.followers, snapshot.source, snapshot.entered_by) == (7_200, "manual", hr)
    entry = AuditEntry.objects.get(action="follower_snapshot.recorded")
    assert entry.after["followers"] == 7_200


@pytest.mark.parametrize(
    ("taken_on", "followers", "field", "words"),
    [
        (days_from_today(1), 10, "taken_on", "future"),
        (days_from_today(0), -1, "followers", "negative"),
    ],
)
def test_bad_snapshots_are_refused(hr, governor, taken_on, followers, field, words):
    with pytest.raises(growth.GrowthError) as caught:
        growth.record_snapshot(
            official_account=governor, taken_on=taken_on, followers=followers, actor=hr
        )
    assert caught.value.field == field and words in caught.value.message
    assert not FollowerSnapshot.objects.exists()
    assert not AuditEntry.objects.filter(action="follower_snapshot.recorded").exists()


def test_one_snapshot_per_account_and_day(hr, governor, channel):
    day = days_from_today(-2)
    growth.record_snapshot(official_account=governor, taken_on=day, followers=1, actor=hr)
    with pytest.raises(growth.DuplicateSnapshot):
        growth.record_snapshot(official_account=governor, taken_on=day, followers=2, actor=hr)
    growth.record_snapshot(official_account=channel, taken_on=day, followers=3, actor=hr)
    assert FollowerSnapshot.objects.get(official_account=governor).followers == 1


# --- snapshots: page and API ------------------------------------------------------------------


def test_snapshot_form_on_the_page(client, hr, governor):
    client.force_login(hr)
    url = reverse("growth:snapshot_create")
    form = {"official_account": governor.pk, "taken_on": days_from_today(0), "followers": 8582}
    response = client.post(url, form)
    assert response.status_code == 302
    page = client.get(reverse("growth:official"))
    assert "8,582" in page.content.decode()
    again = client.post(url, {**form, "followers": 9000})
    assert again.status_code == 400 and "already has a snapshot" in again.content.decode()
    future = client.post(url, {**form, "taken_on": days_from_today(3)})
    assert future.status_code == 400 and "future" in future.content.decode()
    negative = client.post(url, {**form, "taken_on": days_from_today(-3), "followers": -5})
    assert negative.status_code == 400 and "negative" in negative.content.decode()
    assert FollowerSnapshot.objects.count() == 1


def test_snapshots_api(client, hr, governor):
    client.force_login(hr)
    url = reverse("api:official-account-followers", kwargs={"pk": governor.pk})
    created = client.post(url, {"taken_on": "2026-01-05", "followers": 7200}, "application/json")
    assert created.status_code == 201
    assert created.json() == {"taken_on": "2026-01-05", "followers": 7200, "source": "manual"}
    duplicate = client.post(url, {"taken_on": "2026-01-05", "followers": 1}, "application/json")
    assert duplicate.status_code == 400 and "taken_on" in duplicate.json()
    future = client.post(
        url, {"taken_on": str(days_from_today(1)), "followers": 1}, "application/json"
    )
    assert future.status_code == 400 and "taken_on" in future.json()
    negative = client.post(url, {"taken_on": "2026-01-06", "followers": -1}, "application/json")
    assert negative.status_code == 400 and "followers" in negative.json()
    not_a_number = client.post(url, {"taken_on": "soon", "followers": "many"}, "application/json")
    assert not_a_number.status_code == 400
    assert set(not_a_number.json()) == {"taken_on", "followers"}
    assert client.get(url).json() == [
        {"taken_on": "2026-01-05", "followers": 7200, "source": "manual"}
    ]
    missing = reverse("api:official-account-followers", kwargs={"pk": 999})
    assert client.get(missing).status_code == 404


def test_managers_read_snapshots_but_do_not_write(client, governor):
    manager = UserFactory(role=Role.MANAGER, unit=make_unit("HQ/Comms"))
    client.force_login(manager)
    url = reverse("api:official-account-followers", kwargs={"pk": governor.pk})
    assert client.get(url).status_code == 200
    refused = client.post(url, {"taken_on": "2026-01-05", "followers": 1}, "application/json")
    assert refused.status_code == 403
    page = client.get(reverse("growth:official"))
    assert page.status_code == 200 and "Enter a follower count" not in page.content.decode()
    assert client.post(reverse("growth:snapshot_create"), {}).status_code == 403
    assert not FollowerSnapshot.objects.exists()


# --- follow drives ---------------------------------------------------------------------------


@pytest.fixture
def drive_world(hr, governor):
    comms = make_unit("HQ/Comms")
    finance = make_unit("HQ/Finance")
    inside = [UserFactory(unit=make_unit("HQ/Comms/Digital")) for _ in range(3)] + [
        UserFactory(unit=comms)
    ]
    outside = UserFactory(unit=finance)
    starts_on = days_from_today(-30)
    drive = growth.create_drive(
        official_account=governor, starts_on=starts_on, units=[comms], actor=hr, name="Comms"
    )
    for days_ago, followers in ((31, 7_200), (20, 7_300), (10, 7_350), (0, 7_400)):
        FollowerSnapshot.objects.create(
            official_account=governor, taken_on=days_from_today(-days_ago), followers=followers
        )
    confirm(inside[0], governor, days_ago=25)
    confirm(inside[1], governor, days_ago=5)
    confirm(inside[2], governor, days_ago=40)  # before the start: not new growth
    confirm(inside[3], governor, days_ago=15, following=False)  # un-confirmed
    confirm(outside, governor, days_ago=3)  # outside the audience
    return {"drive": drive, "inside": inside, "outside": outside}


def test_drive_expected_against_observed(drive_world):
    progress = growth.drive_progress(drive_world["drive"])
    assert progress.audience_people == 4
    assert progress.people_asked == 4
    assert progress.confirmed_since_start == 2
    assert progress.baseline.followers == 7_200
    assert progress.observed_growth == 200
    assert [(p.observed, p.expected) for p in progress.points] == [
        (7_200, 7_200),
        (7_300, 7_201),
        (7_350, 7_201),
        (7_400, 7_202),
    ]
    entry = AuditEntry.objects.get(action="follow_drive.created")
    assert entry.after["name"] == "Comms"


def test_drive_chart_is_an_svg_without_script_or_style(drive_world):
    svg = drive_chart(growth.drive_progress(drive_world["drive"]))
    assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    assert 'class="series-observed"' in svg and 'class="series-expected"' in svg


def test_drive_page_shows_chart_and_table(client, hr, drive_world):
    client.force_login(hr)
    page = client.get(reverse("growth:drive_detail", kwargs={"pk": drive_world["drive"].pk}))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "7,400" in html and "7,202" in html
    assert "style=" not in html.split("<main", 1)[1]  # no inline style in the page body


def test_follow_drives_api(client, hr, governor, drive_world):
    client.force_login(hr)
    url = reverse("api:follow-drive-list")
    comms = make_unit("HQ/Comms")
    created = client.post(
        url,
        {"official_account": governor.pk, "starts_on": "2026-03-01", "units": [comms.pk]},
        "application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert body["audience"] == {"units": [comms.pk], "people": 4}
    assert {"id", "official_account", "starts_on", "confirmed_since_start", "snapshots"} <= set(
        body
    )
    listed = client.get(url).json()
    assert len(listed) == 2
    first = next(d for d in listed if d["id"] == drive_world["drive"].pk)
    assert first["confirmed_since_start"] == 2
    assert first["snapshots"][0] == {"taken_on": str(days_from_today(-31)), "followers": 7200}
    bad = client.post(
        url, {"official_account": 999, "starts_on": "soon", "units": [12345]}, "application/json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"official_account", "starts_on", "units"}


def test_only_hr_starts_drives(client, governor):
    manager = UserFactory(role=Role.MANAGER, unit=make_unit("HQ/Comms"))
    client.force_login(manager)
    url = reverse("api:follow-drive-list")
    assert client.get(url).status_code == 200
    payload = {"official_account": governor.pk, "starts_on": "2026-03-01"}
    assert client.post(url, payload, "application/json").status_code == 403
    assert client.post(reverse("growth:drive_create"), payload).status_code == 403
    staff = UserFactory()
    client.force_login(staff)
    assert client.get(url).status_code == 403
    assert not FollowDrive.objects.exists()


def test_drive_form_on_the_page(client, hr, governor):
    client.force_login(hr)
    response = client.post(
        reverse("growth:drive_create"),
        {"official_account": governor.pk, "starts_on": "2026-03-01", "people_asked": 6750},
    )
    drive = FollowDrive.objects.get()
    assert response.status_code == 302 and drive.people_asked == 6750
    bad = client.post(reverse("growth:drive_create"), {"official_account": governor.pk})
    assert bad.status_code == 400


def test_demo_has_the_seed_drive(governor, hr):
    UserFactory.create_batch(5)
    growth_demo.seed(stdout=io.StringIO())
    growth_demo.seed(stdout=io.StringIO())  # idempotent
    drive = FollowDrive.objects.get()
    progress = growth.drive_progress(drive)
    assert progress.people_asked == 6_750
    assert (progress.baseline.followers, progress.latest.followers) == (7_200, 8_582)
    assert progress.observed_growth == 1_382
    assert progress.confirmed_since_start > 0
