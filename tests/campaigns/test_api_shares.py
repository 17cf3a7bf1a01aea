"""POST /api/v1/shares/, GET /api/v1/shares/ and GET /api/v1/shares/{id}/.

``org`` (tests/campaigns/conftest.py): alice, staff in HQ/Comms; bob, manager
of HQ; charlie, staff in HQ/Finance; hana, HR admin in People (outside HQ).
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignStatus, Share, ShareStatus
from tests.factories import UserFactory, days_from_today, make_campaign, make_share
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db

URL = "/api/v1/shares/"
KUALA_LUMPUR = zoneinfo.ZoneInfo("Asia/Kuala_Lumpur")
OFFICIAL_POSTS = (
    "https://www.facebook.com/govmy/posts/1001",
    "https://x.com/govmy/status/1001",
    "https://www.tiktok.com/@govmy/video/7000000000000000001",
)
ALICE_POST = "https://x.com/alice_tan/status/1800000000000000001"


@pytest.fixture
def campaign(org):
    return make_campaign(posts=OFFICIAL_POSTS)


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def submit(user, campaign, url: str, **extra):
    body = {"campaign": campaign.pk if isinstance(campaign, Campaign) else campaign, "url": url}
    return client_for(user).post(URL, {**body, **extra}, format="json")


# --- POST shares/: the happy path ----------------------------------------------


def test_staff_log_a_share(org, campaign):
    before = timezone.now()

    response = submit(org["alice"], campaign, ALICE_POST + "?s=20&t=abc")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "url",
        "normalized_url",
        "platform",
        "status",
        "campaign",
        "submitted_at",
        "source",
    }
    share = Share.objects.get()
    assert body["id"] == share.pk
    assert body["url"] == ALICE_POST + "?s=20&t=abc"
    assert body["normalized_url"] == ALICE_POST
    assert body["platform"] == "x"
    assert body["status"] == "pending"
    assert body["campaign"] == campaign.pk
    assert body["source"] == "api"
    assert before <= parse_datetime(body["submitted_at"]) <= timezone.now()
    assert share.staff == org["alice"]
    assert share.author_handle == "alice_tan"


@pytest.mark.parametrize("source", ["bookmarklet", "share-target", "api"])
def test_the_source_may_be_given(org, campaign, source):
    response = submit(org["alice"], campaign, ALICE_POST, source=source)

    assert response.status_code == 201
    assert response.json()["source"] == source
    assert Share.objects.get().source == source


def test_the_web_form_source_is_not_for_the_api(org, campaign):
    response = submit(org["alice"], campaign, ALICE_POST, source="form")

    assert response.status_code == 400
    assert "source" in response.json()


@pytest.mark.parametrize("who", ["bob", "hana", "charlie"])
def test_managers_and_hr_may_share_too(org, campaign, who):
    assert submit(org[who], campaign, f"https://x.com/{who}/status/42").status_code == 201


def test_anonymous_cannot_log_a_share(org, campaign):
    response = client_for().post(URL, {"campaign": campaign.pk, "url": ALICE_POST}, format="json")

    assert response.status_code in (401, 403)
    assert not Share.objects.exists()


def test_a_token_works(org, campaign):
    token = client_for().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "pw"}, format="json"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    response = client.post(URL, {"campaign": campaign.pk, "url": ALICE_POST}, format="json")

    assert response.status_code == 201
    assert Share.objects.get().staff == org["alice"]


def test_a_share_is_kept_when_the_broker_is_down(
    org, campaign, dead_broker, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, logger="verification.handlers"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = submit(org["alice"], campaign, ALICE_POST)

    assert response.status_code == 201
    assert len(callbacks) == 1
    assert Share.objects.get().status == ShareStatus.PENDING
    assert "Could not queue verification" in caplog.text


@pytest.fixture
def dead_broker(monkeypatch):
    """Point the Celery app at a port where nothing listens, then put it back.

    Celery caches its broker connection and producer pools, so they are dropped
    on the way in and out (the same reset Celery itself does after a fork). The
    CELERY_BROKER_URL environment variable (set in CI) wins over app.conf, so it
    is pointed at the dead port too."""
    from sharekpi.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    old_url = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    reset_pools()
    yield
    monkeypatch.undo()
    app.conf.broker_url = old_url
    reset_pools()


# --- POST shares/: bad input -------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://x.com/alice_tan", "profile page"),
        ("https://www.facebook.com/alice.tan", "profile page"),
        ("https://example.com/post/1", "not a platform ShareKPI knows"),
        ("javascript:alert(1)", "not a web link"),
    ],
)
def test_a_link_that_is_not_a_post_is_refused(org, campaign, url, words):
    response = submit(org["alice"], campaign, url)

    assert response.status_code == 400
    assert set(response.json()) == {"url"}
    assert words in response.json()["url"][0]
    assert not Share.objects.exists()


def test_an_empty_link_is_refused(org, campaign):
    response = submit(org["alice"], campaign, "")

    assert response.status_code == 400
    assert "url" in response.json()


def test_a_platform_the_campaign_has_no_post_on_is_refused(org, campaign):
    response = submit(org["alice"], campaign, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")

    assert response.status_code == 400
    assert "no official post on YouTube" in response.json()["url"][0]


@pytest.mark.parametrize(
    "kind",
    ["closed", "not_started", "ended", "other_unit", "draft", "unknown", "missing", "not_a_number"],
)
def test_a_campaign_you_cannot_share_is_refused(org, kind):
    campaigns = {
        "closed": lambda: make_campaign(status=CampaignStatus.CLOSED).pk,
        "not_started": lambda: (
            make_campaign(starts_on=days_from_today(2), ends_on=days_from_today(10)).pk
        ),
        "ended": lambda: (
            make_campaign(starts_on=days_from_today(-10), ends_on=days_from_today(-1)).pk
        ),
        "other_unit": lambda: make_campaign(units=("HQ/Finance",)).pk,
        "draft": lambda: make_campaign(status=CampaignStatus.DRAFT).pk,
        "unknown": lambda: 999999,
        "missing": lambda: None,
        "not_a_number": lambda: "budget",
    }
    campaign_id = campaigns[kind]()
    body = (
        {"url": ALICE_POST} if campaign_id is None else {"url": ALICE_POST, "campaign": campaign_id}
    )

    response = client_for(org["alice"]).post(URL, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"campaign"}
    assert response.json()["campaign"][0]
    assert not Share.objects.exists()


def test_an_unknown_and_someone_elses_campaign_get_the_same_answer(org):
    finance = make_campaign(units=("HQ/Finance",))

    theirs = submit(org["alice"], finance, ALICE_POST).json()["campaign"][0]
    unknown = submit(org["alice"], 999999, ALICE_POST).json()["campaign"][0]

    assert theirs == unknown.replace("999999", str(finance.pk))


# --- POST shares/: duplicates (409) ----------------------------------------------


def test_logging_your_own_post_twice_is_a_conflict(org, campaign):
    first = submit(org["alice"], campaign, ALICE_POST).json()

    response = submit(org["alice"], campaign, ALICE_POST)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "You have already logged this post (see My shares).",
        "existing_share": first["id"],
    }
    assert Share.objects.count() == 1


def test_a_tracking_parameter_variant_is_the_same_post(org, campaign):
    first = submit(org["alice"], campaign, ALICE_POST).json()

    response = submit(
        org["alice"],
        campaign,
        "https://mobile.twitter.com/Alice_Tan/status/1800000000000000001?s=46&t=xyz#top",
    )

    assert response.status_code == 409
    assert response.json()["existing_share"] == first["id"]
    assert Share.objects.count() == 1


def test_a_second_share_on_the_same_platform_is_a_conflict(org, campaign):
    first = submit(org["alice"], campaign, ALICE_POST).json()

    response = submit(org["alice"], campaign, "https://x.com/alice_tan/status/1800000000000000002")

    assert response.status_code == 409
    assert response.json()["existing_share"] == first["id"]
    assert "already logged an X (Twitter) share of this campaign" in response.json()["detail"]
    assert Share.objects.count() == 1


def test_shares_on_other_platforms_of_the_same_campaign_are_fine(org, campaign):
    assert submit(org["alice"], campaign, ALICE_POST).status_code == 201
    tiktok = "https://www.tiktok.com/@alice_tan/video/7300000000000000001"
    assert submit(org["alice"], campaign, tiktok).status_code == 201


def test_someone_elses_post_is_claimed_without_naming_them(org, campaign):
    submit(org["alice"], campaign, ALICE_POST)

    response = submit(org["charlie"], campaign, ALICE_POST)

    assert response.status_code == 409
    body = response.json()
    assert body == {
        "detail": "This post has already been claimed by another member of staff.",
        "existing_share": None,
    }
    assert "alice" not in response.content.decode().lower()
    assert "tan" not in response.content.decode().lower()


@pytest.mark.parametrize("who", ["hana", "bob"])
def test_hr_and_the_managers_above_see_who_claimed_it(org, campaign, who):
    first = submit(org["alice"], campaign, ALICE_POST).json()

    response = submit(org[who], campaign, ALICE_POST)

    assert response.status_code == 409
    assert response.json() == {
        "detail": "This post has already been claimed by another member of staff.",
        "existing_share": first["id"],
        "claimed_by": "alice",
    }


# --- GET shares/ ------------------------------------------------------------------


@pytest.fixture
def logged(org, campaign):
    """One share each by alice, charlie and hana."""
    return {
        name: make_share(org[name], campaign, f"https://x.com/{name}/status/{n}")
        for n, name in enumerate(["alice", "charlie", "hana"], start=1)
    }


def listed(user, **filters) -> list[dict]:
    response = client_for(user).get(URL, filters)
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def staff_ids(rows: list[dict]) -> set[str]:
    return {row["staff_id"] for row in rows}


def test_anonymous_cannot_list_shares(logged):
    assert client_for().get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", {"alice"}),
        ("charlie", {"charlie"}),
        ("bob", {"alice", "charlie"}),
        ("hana", {"alice", "charlie", "hana"}),
    ],
)
def test_shares_are_listed_by_scope(org, logged, who, sees):
    assert staff_ids(listed(org[who])) == sees


def test_list_fields(org, logged):
    (row,) = listed(org["alice"])

    assert row == {
        "id": logged["alice"].pk,
        "url": "https://x.com/alice/status/1",
        "normalized_url": "https://x.com/alice/status/1",
        "platform": "x",
        "status": "pending",
        "campaign": logged["alice"].campaign_id,
        "submitted_at": row["submitted_at"],
        "source": "form",
        "staff_id": "alice",
    }


def test_filter_by_status_campaign_and_staff(org, campaign, logged):
    other = make_campaign("Other")
    make_share(org["alice"], other, "https://x.com/alice/status/9", status=ShareStatus.VERIFIED)
    hana = org["hana"]

    assert staff_ids(listed(hana, status="pending")) == {"alice", "charlie", "hana"}
    assert [r["url"] for r in listed(hana, status="verified")] == ["https://x.com/alice/status/9"]
    assert len(listed(hana, campaign=other.pk)) == 1
    assert len(listed(hana, campaign=campaign.pk)) == 3
    assert staff_ids(listed(hana, staff_id="charlie")) == {"charlie"}
    assert len(listed(hana, staff_id="alice")) == 2


def test_filters_stay_inside_the_scope(org, logged):
    assert listed(org["alice"], staff_id="charlie") == []
    assert listed(org["bob"], staff_id="hana") == []


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"year": "last"}, "year"),
        ({"year": "20245"}, "year"),
        ({"status": "approved"}, "status"),
        ({"campaign": "budget"}, "campaign"),
    ],
)
def test_a_bad_filter_value_is_a_400_that_names_it(org, logged, filters, field):
    response = client_for(org["hana"]).get(URL, filters)

    assert response.status_code == 400
    assert set(response.json()) == {field}


def test_year_follows_the_organisations_time_zone(org, campaign, settings):
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 1
    # 23:30 on 31 December in Kuala Lumpur is 15:30 UTC: still the old year.
    old = datetime.datetime(2024, 12, 31, 23, 30, tzinfo=KUALA_LUMPUR)
    # 00:30 on 1 January in Kuala Lumpur is 16:30 UTC on 31 December: the new year.
    new = datetime.datetime(2025, 1, 1, 0, 30, tzinfo=KUALA_LUMPUR)
    make_share(org["alice"], campaign, "https://x.com/alice/status/1", submitted_at=old)
    make_share(org["charlie"], campaign, "https://x.com/charlie/status/2", submitted_at=new)

    assert staff_ids(listed(org["hana"], year=2024)) == {"alice"}
    assert staff_ids(listed(org["hana"], year=2025)) == {"charlie"}
    assert listed(org["hana"], year=2023) == []


def test_a_kpi_year_may_start_in_another_month(org, campaign, settings):
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 4
    last_day = datetime.datetime(2025, 3, 31, 23, 30, tzinfo=KUALA_LUMPUR)
    first_day = datetime.datetime(2025, 4, 1, 0, 10, tzinfo=KUALA_LUMPUR)
    make_share(org["alice"], campaign, "https://x.com/alice/status/1", submitted_at=last_day)
    make_share(org["charlie"], campaign, "https://x.com/charlie/status/2", submitted_at=first_day)

    assert staff_ids(listed(org["hana"], year=2024)) == {"alice"}
    assert staff_ids(listed(org["hana"], year=2025)) == {"charlie"}


def test_shares_are_paginated_newest_first(org):
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            title=f"C{n}",
            status=CampaignStatus.ACTIVE,
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
        )
        for n in range(51)
    )
    start = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    Share.objects.bulk_create(
        Share(
            staff=org["alice"],
            campaign=c,
            url=f"https://x.com/alice/status/{n}",
            normalized_url=f"https://x.com/alice/status/{n}",
            platform="x",
            submitted_at=start + datetime.timedelta(hours=n),
        )
        for n, c in enumerate(campaigns)
    )
    client = client_for(org["alice"])

    first = client.get(URL).json()
    second = client.get(URL, {"page": 2}).json()

    assert first["count"] == 51
    assert len(first["results"]) == 50
    assert first["results"][0]["url"] == "https://x.com/alice/status/50"
    assert first["next"].endswith("?page=2")
    assert [r["url"] for r in second["results"]] == ["https://x.com/alice/status/0"]
    assert second["next"] is None
    assert client.get(URL, {"page": 3}).status_code == 404


def test_listing_shares_does_not_query_per_share(org, campaign, django_assert_max_num_queries):
    for n in range(30):
        staff = UserFactory(unit="HQ/Comms/Digital")
        make_share(staff, campaign, f"https://x.com/someone{n}/status/{n}")
    for user in (org["hana"], org["bob"]):
        client = client_for(user)
        with django_assert_max_num_queries(2):  # count, page
            assert len(client.get(URL).json()["results"]) == 30


# --- GET shares/{id}/ -----------------------------------------------------------


def test_share_detail_with_its_attempts(org, logged):
    share = logged["alice"]
    share.status_reason = "The post could not be reached."
    share.save()
    started = datetime.datetime(2025, 3, 1, 9, 0, tzinfo=datetime.UTC)
    for minutes, outcome in ((5, "needs_review"), (0, "retry")):
        VerificationAttempt.objects.create(
            share=share,
            started_at=started + datetime.timedelta(minutes=minutes),
            url_fetched="https://x.com/alice/status/1",
            http_status=503 if outcome == "retry" else 200,
            duration_ms=120,
            outcome=outcome,
            reason="login wall" if outcome == "needs_review" else "HTTP 503",
        )

    response = client_for(org["alice"]).get(f"{URL}{share.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == share.pk
    assert body["status_reason"] == "The post could not be reached."
    assert {
        "url",
        "normalized_url",
        "platform",
        "status",
        "campaign",
        "submitted_at",
        "source",
    } <= set(body)
    assert [a["outcome"] for a in body["attempts"]] == ["retry", "needs_review"]
    assert body["attempts"][0] == {
        "started_at": body["attempts"][0]["started_at"],
        "url_fetched": "https://x.com/alice/status/1",
        "http_status": 503,
        "duration_ms": 120,
        "outcome": "retry",
        "reason": "HTTP 503",
    }
    assert parse_datetime(body["attempts"][0]["started_at"]) == started


@pytest.mark.parametrize(
    ("who", "whose", "code"),
    [
        ("alice", "alice", 200),
        ("alice", "charlie", 404),
        ("charlie", "alice", 404),
        ("bob", "alice", 200),
        ("bob", "charlie", 200),
        ("bob", "hana", 404),
        ("hana", "alice", 200),
    ],
)
def test_share_detail_is_scoped(org, logged, who, whose, code):
    assert client_for(org[who]).get(f"{URL}{logged[whose].pk}/").status_code == code


def test_share_detail_anonymous_and_unknown(org, logged):
    assert client_for().get(f"{URL}{logged['alice'].pk}/").status_code in (401, 403)
    assert client_for(org["hana"]).get(f"{URL}999999/").status_code == 404


def test_share_detail_queries_do_not_grow_with_attempts(org, logged, django_assert_max_num_queries):
    for n in range(10):
        VerificationAttempt.objects.create(share=logged["alice"], outcome="retry", reason=str(n))
    with django_assert_max_num_queries(2):  # share, attempts
        client_for(org["alice"]).get(f"{URL}{logged['alice'].pk}/")


# --- POST shares/: what one submission costs (issue 15) ----------------------------


def _statements(captured) -> list[str]:
    """The statements that do work: not the transaction's own (BEGIN, SAVEPOINT, …); an
    EXECUTE of a statement the server keeps (sharekpi.prepared) as that statement."""
    from sharekpi import prepared

    skip = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    return [prepared.source(q["sql"]) for q in captured if not q["sql"].upper().startswith(skip)]


def test_a_submission_takes_a_fixed_handful_of_statements(org, campaign):
    """Token lookup, then on PostgreSQL one statement: the INSERT guarded by every rule
    (selectors.submission_guard: the campaign open, its audience, official posts and
    platforms, nothing existing) with the dashboard's notes joined to it (its shared
    lock, the person's tally, the note: campaigns.hooks.add_new_share_part), outside any
    transaction its own. On SQLite one statement for the campaign, its rules and the
    duplicate check (selectors.submission_facts), then the INSERT, the tally and the
    note. Any statement more is a regression of issue 15's submission throughput: fold
    it into one of these instead."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=org["alice"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    client.post(URL, {"campaign": campaign.pk, "url": OFFICIAL_POSTS[0]}, format="json")  # warm

    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, {"campaign": campaign.pk, "url": ALICE_POST}, format="json")

    assert response.status_code == 201, response.json()
    statements = _statements(captured)
    expected = 2 if connection.vendor == "postgresql" else 5
    assert len(statements) == expected, "\n".join(statements)
    assert sum("campaigns_campaign" in sql for sql in statements) == 1
    if connection.vendor == "postgresql":
        write = statements[-1]
        assert "INSERT INTO" in write and "scoring_sharecountchange" in write, write
        assert "campaigns_officialaccount" in write, write  # the guard's rules


def test_a_refusal_or_duplicate_costs_no_more_than_before(org, campaign):
    """The answers that are not a 201 read the existing share the old way: a handful of
    statements, none per share."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    submit(org["alice"], campaign, ALICE_POST)
    with CaptureQueriesContext(connection) as captured:
        response = submit(org["alice"], campaign, ALICE_POST)
    assert response.status_code == 409
    assert len(_statements(captured)) <= 4, "\n".join(_statements(captured))


def test_the_201_body_is_the_share_serializers(org, campaign):
    from campaigns.api import share_body
    from campaigns.serializers import ShareSerializer

    submit(org["alice"], campaign, ALICE_POST + "?s=20")
    share = Share.objects.get()
    share.refresh_from_db()

    assert share_body(share) == ShareSerializer(share).data
    assert submit(org["charlie"], campaign, "https://x.com/charlie/status/1801").json() == (
        ShareSerializer(Share.objects.get(staff=org["charlie"])).data
    )


@pytest.mark.parametrize(
    "body",
    [
        {"campaign": "CAMPAIGN", "url": ALICE_POST},  # the id as a string
        {"campaign": "CAMPAIGN", "url": "  " + ALICE_POST + "  "},
        {"campaign": "CAMPAIGN", "url": ALICE_POST, "source": "bookmarklet"},
    ],
)
def test_other_body_shapes_go_through_the_serializer_to_the_same_answer(org, campaign, body):
    body = {k: (str(campaign.pk) if v == "CAMPAIGN" else v) for k, v in body.items()}

    response = client_for(org["alice"]).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    share = Share.objects.get()
    assert share.url == ALICE_POST
    assert response.json() == share_body_of(share)


def share_body_of(share):
    from campaigns.serializers import ShareSerializer

    share.refresh_from_db()
    return ShareSerializer(share).data


@pytest.mark.parametrize(
    ("campaign_value", "url", "source", "field"),
    [
        (True, ALICE_POST, None, "campaign"),
        (10**30, ALICE_POST, None, "campaign"),
        (-1, ALICE_POST, None, "campaign"),
        (0, ALICE_POST, None, "campaign"),
        ("VISIBLE", "", None, "url"),
        ("VISIBLE", "x" * 4001, None, "url"),
        ("VISIBLE", "https://x.com/a/status/1\x00", None, "url"),
        ("VISIBLE", ALICE_POST, "form", "source"),
        ("VISIBLE", ALICE_POST, "carrier-pigeon", "source"),
        ("VISIBLE", 12345, None, "url"),
        ("HIDDEN", "not a link", None, "campaign"),  # the campaign is checked first
        ("VISIBLE", "not a link", None, "url"),
    ],
)
def test_refusals_read_as_the_serializer_says(org, campaign, campaign_value, url, source, field):
    """Whatever the body, the answer is the one ShareCreateSerializer (and the service
    after it) gave before the plain-JSON path existed."""
    hidden = make_campaign(units=("HQ/Finance",))
    value = {"VISIBLE": campaign.pk, "HIDDEN": hidden.pk}.get(campaign_value, campaign_value)
    body = {"campaign": value, "url": url}
    if source is not None:
        body["source"] = source

    response = client_for(org["alice"]).post(URL, body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {field}, response.json()
    if campaign_value in (10**30, -1, 0, "HIDDEN"):
        assert response.json()["campaign"] == [
            f"There is no campaign {value} open to you: pick one from GET /api/v1/campaigns/."
        ]
    assert not Share.objects.exists()
