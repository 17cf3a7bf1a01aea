"""POST shares/ on PostgreSQL: a share every rule lets in is written by one guarded
statement (campaigns.services._log_at_once, selectors.submission_guard); when any rule
says no, that statement writes nothing (no share, no dashboard note) and the usual path
(selectors.submission_facts, then the checks) gives the answer it always gave.

Each case below holds the exact answer of one rule. On SQLite (no guard) they check the
answers alone; on PostgreSQL also that the guard ran first and wrote nothing, or, for a
share it lets in, that it was the only statement.

``org`` (tests/campaigns/conftest.py): alice, staff in HQ/Comms; bob, manager of HQ;
charlie, staff in HQ/Finance; hana, HR admin in People (outside HQ).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Platform
from campaigns.models import CampaignStatus, OfficialAccount, Share, ShareStatus
from dashboard.models import CampaignStaffTally, ShareCountChange
from sharekpi import prepared
from tests.factories import UserFactory, days_from_today, make_campaign, make_share

pytestmark = pytest.mark.django_db

URL = "/api/v1/shares/"
OFFICIAL_FB = "https://www.facebook.com/govmy/posts/1001"
OFFICIAL_X = "https://x.com/govmy/status/1001"
OFFICIAL_TIKTOK = "https://www.tiktok.com/@govmy/video/7000000000000000001"
ALICE_X = "https://x.com/alice_tan/status/1800000000000000001"
ALICE_FB = "https://www.facebook.com/alice.tan/posts/5005"
NOT_OPEN = {"campaign": ["This campaign is not open for shares today."]}
NOT_FOR_YOU = {"campaign": ["This campaign is not meant for your unit."]}
OFFICIAL_POST = {
    "url": [
        "That is the official post: share it from your own account, then paste the link "
        "of your share."
    ]
}


def official_author(handle: str) -> dict:
    return {
        "url": [
            f"That post is by the official account @{handle}, not yours: share it from your "
            "own account, then paste the link of your share."
        ]
    }


def not_visible(campaign_id: int) -> dict:
    return {
        "campaign": [
            f"There is no campaign {campaign_id} open to you: pick one from GET /api/v1/campaigns/."
        ]
    }


@pytest.fixture
def campaign(org):
    return make_campaign(posts=(OFFICIAL_FB, OFFICIAL_X, OFFICIAL_TIKTOK))


def submit(user, campaign_id: int, url: str):
    """The response and the statements that did work (sharekpi.prepared's EXECUTEs as
    the statements they run)."""
    client = APIClient()
    client.force_authenticate(user)
    skip = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(URL, {"campaign": campaign_id, "url": url}, format="json")
    statements = [
        prepared.source(q["sql"]) for q in captured if not q["sql"].upper().startswith(skip)
    ]
    return response, statements


def is_guard(sql: str) -> bool:
    return sql.startswith("WITH new_share AS (INSERT INTO") and " c WHERE c.id = " in sql


def assert_guard_said_no(statements: list[str]) -> None:
    """On PostgreSQL: the guarded INSERT first, then the usual path's facts."""
    if connection.vendor != "postgresql":
        return
    assert is_guard(statements[0]), statements[0]
    assert "'campaign' AS kind" in statements[1], statements[1]


def assert_refused(user, campaign_id: int, url: str, status: int, body: dict) -> None:
    shares, notes, tallies = (
        Share.objects.count(),
        ShareCountChange.objects.count(),
        CampaignStaffTally.objects.count(),
    )

    response, statements = submit(user, campaign_id, url)

    assert (response.status_code, response.json()) == (status, body)
    assert_guard_said_no(statements)
    assert Share.objects.count() == shares
    # The dashboard's parts of the guarded statement read new_share: nothing either.
    assert ShareCountChange.objects.count() == notes
    assert CampaignStaffTally.objects.count() == tallies


def assert_logged_at_once(user, campaign_id: int, url: str) -> Share:
    response, statements = submit(user, campaign_id, url)

    assert response.status_code == 201, response.json()
    share = Share.objects.get(pk=response.json()["id"])
    assert (share.staff_id, share.campaign_id, share.status) == (
        user.pk,
        campaign_id,
        ShareStatus.PENDING,
    )
    if connection.vendor == "postgresql":
        assert len(statements) == 1 and is_guard(statements[0]), "\n".join(statements)
        assert ShareCountChange.objects.filter(person_id=user.pk, campaign_id=campaign_id).exists()
    return share


# --- the campaign: open today, in the audience, visible ------------------------------------


@pytest.mark.parametrize(
    "window",
    [
        {"status": CampaignStatus.CLOSED},
        {"starts_on": days_from_today(2), "ends_on": days_from_today(10)},  # not yet open
        {"starts_on": days_from_today(-10), "ends_on": days_from_today(-1)},  # ended
    ],
    ids=["closed", "not_yet_open", "ended"],
)
def test_a_campaign_not_open_today(org, window):
    shut = make_campaign(posts=(OFFICIAL_X,), **window)

    assert_refused(org["alice"], shut.pk, ALICE_X, 400, NOT_OPEN)


def test_a_draft_is_no_campaign_to_staff(org):
    draft = make_campaign(posts=(OFFICIAL_X,), status=CampaignStatus.DRAFT)

    assert_refused(org["alice"], draft.pk, ALICE_X, 400, not_visible(draft.pk))


def test_a_managers_own_draft_is_not_open(org):
    draft = make_campaign(
        posts=(OFFICIAL_X,), status=CampaignStatus.DRAFT, created_by=org["bob"], units=("HQ",)
    )

    assert_refused(org["bob"], draft.pk, "https://x.com/bob/status/18", 400, NOT_OPEN)


def test_a_campaign_for_another_unit_is_no_campaign_to_staff(org):
    finance = make_campaign(posts=(OFFICIAL_X,), units=("HQ/Finance",))

    assert_refused(org["alice"], finance.pk, ALICE_X, 400, not_visible(finance.pk))


def test_hr_see_every_campaign_but_share_only_their_audiences(org):
    finance = make_campaign(posts=(OFFICIAL_X,), units=("HQ/Finance",))

    assert_refused(org["hana"], finance.pk, "https://x.com/hana/status/18", 400, NOT_FOR_YOU)


def test_a_person_without_a_unit_is_in_no_units_audience(org):
    nobody = UserFactory(staff_id="nobody", unit=None)
    finance = make_campaign(posts=(OFFICIAL_X,), units=("HQ/Finance",))

    assert_refused(
        nobody, finance.pk, "https://x.com/nobody/status/18", 400, not_visible(finance.pk)
    )


def test_an_unknown_campaign(org):
    assert_refused(org["alice"], 999999, ALICE_X, 400, not_visible(999999))


# --- the URL: not an official post or author, on a platform of the campaign -----------------


@pytest.mark.parametrize(
    "url",
    [
        OFFICIAL_X,
        "https://mobile.twitter.com/govmy/status/1001?s=20",  # the same normalised URL
        "https://www.facebook.com/permalink.php?story_fbid=1001&id=100064",  # its post id
    ],
)
def test_the_official_post(org, campaign, url):
    assert_refused(org["alice"], campaign.pk, url, 400, OFFICIAL_POST)


def test_another_campaigns_official_post(org, campaign):
    make_campaign("Earlier news", posts=("https://x.com/kementerian/status/777",))

    assert_refused(
        org["alice"], campaign.pk, "https://x.com/kementerian/status/777", 400, OFFICIAL_POST
    )


def test_a_post_by_the_author_of_an_official_post(org, campaign):
    assert_refused(
        org["alice"], campaign.pk, "https://x.com/govmy/status/2002", 400, official_author("govmy")
    )


def test_a_post_by_an_official_account(org, campaign):
    OfficialAccount.objects.create(
        platform=Platform.TIKTOK,
        handle="KetuaPengarah",
        name="Chief Executive",
        profile_url="https://www.tiktok.com/@ketuapengarah",
    )

    assert_refused(
        org["alice"],
        campaign.pk,
        "https://www.tiktok.com/@ketuapengarah/video/7300000000000000009",
        400,
        official_author("KetuaPengarah"),
    )


def test_a_platform_the_campaign_has_no_post_on(org, campaign):
    body = {
        "url": [
            "This campaign has no official post on YouTube; share it on Facebook, TikTok, "
            "X (Twitter)."
        ]
    }

    assert_refused(
        org["alice"], campaign.pk, "https://www.youtube.com/watch?v=dQw4w9WgXcQ", 400, body
    )


# --- what is logged already: the same post, the person's slot -------------------------------


def test_the_same_url_again(org, campaign):
    first = make_share(org["alice"], campaign, ALICE_X)
    body = {
        "detail": "You have already logged this post (see My shares).",
        "existing_share": first.pk,
    }

    assert_refused(org["alice"], campaign.pk, ALICE_X + "?s=20", 409, body)


def test_the_same_url_claimed_by_someone_else(org, campaign):
    make_share(org["alice"], campaign, ALICE_X)
    body = {
        "detail": "This post has already been claimed by another member of staff.",
        "existing_share": None,
    }

    assert_refused(org["charlie"], campaign.pk, ALICE_X, 409, body)


def test_the_same_post_id_in_another_url_shape(org, campaign):
    first = make_share(org["alice"], campaign, ALICE_FB)
    other_shape = "https://www.facebook.com/permalink.php?story_fbid=5005&id=100099"
    body = {
        "detail": "You have already logged this post (see My shares).",
        "existing_share": first.pk,
    }

    assert_refused(org["alice"], campaign.pk, other_shape, 409, body)


@pytest.mark.parametrize(
    "status", [ShareStatus.PENDING, ShareStatus.VERIFIED, ShareStatus.NEEDS_REVIEW]
)
def test_a_live_share_on_that_platform(org, campaign, status):
    first = make_share(org["alice"], campaign, ALICE_X, status=status)
    body = {
        "detail": "You have already logged an X (Twitter) share of this campaign.",
        "existing_share": first.pk,
    }

    assert_refused(
        org["alice"], campaign.pk, "https://x.com/alice_tan/status/1800000000000000002", 409, body
    )


def test_ones_own_rejected_post_again(org, campaign):
    first = make_share(org["alice"], campaign, ALICE_X, status=ShareStatus.REJECTED)
    body = {
        "detail": "You logged this post before and it was rejected. Logging it again changes "
        "nothing: if you think that was wrong, appeal it from My shares; otherwise log the "
        "link of another share of yours.",
        "existing_share": first.pk,
    }

    assert_refused(org["alice"], campaign.pk, ALICE_X, 409, body)


@pytest.mark.parametrize("status", [ShareStatus.REJECTED, ShareStatus.REMOVED])
def test_a_rejected_or_removed_share_is_replaced_by_the_usual_path(org, campaign, status):
    old = make_share(org["alice"], campaign, ALICE_X, status=status)

    response, statements = submit(
        org["alice"], campaign.pk, "https://x.com/alice_tan/status/1800000000000000002"
    )

    assert response.status_code == 201, response.json()
    assert_guard_said_no(statements)
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id) == (ShareStatus.REPLACED, response.json()["id"])


# --- what the guard lets in, in its one statement -------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        ALICE_X,  # a post id and an author
        "https://www.facebook.com/permalink.php?story_fbid=5005&id=100099",  # a post id only
        "https://fb.watch/abcDEF12/",  # a short link: neither
    ],
)
def test_a_share_every_rule_lets_in(org, campaign, url):
    share = assert_logged_at_once(org["alice"], campaign.pk, url)

    assert share.normalized_url != ""


def test_a_campaign_for_a_unit_above_the_persons(org):
    hq = make_campaign(posts=(OFFICIAL_X,), units=("HQ",))

    assert_logged_at_once(org["alice"], hq.pk, ALICE_X)


def test_a_campaign_without_official_posts_takes_any_platform(org):
    bare = make_campaign(posts=())

    assert_logged_at_once(org["alice"], bare.pk, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")


def test_hr_and_people_without_a_unit_share_campaigns_for_everyone(org, campaign):
    assert_logged_at_once(org["hana"], campaign.pk, "https://x.com/hana/status/18")
    nobody = UserFactory(staff_id="nobody", unit=None)
    assert_logged_at_once(nobody, campaign.pk, "https://x.com/nobody/status/19")


def test_a_replaced_share_leaves_the_slot_free(org, campaign):
    make_share(org["alice"], campaign, ALICE_X, status=ShareStatus.REPLACED)

    assert_logged_at_once(
        org["alice"], campaign.pk, "https://x.com/alice_tan/status/1800000000000000003"
    )


def test_shares_of_other_campaigns_and_platforms_leave_the_slot_free(org, campaign):
    other = make_campaign("Other", posts=(OFFICIAL_X,))
    make_share(org["alice"], other, ALICE_X)
    make_share(
        org["alice"], campaign, "https://www.tiktok.com/@alice_tan/video/7300000000000000001"
    )

    assert_logged_at_once(
        org["alice"], campaign.pk, "https://x.com/alice_tan/status/1800000000000000004"
    )


def test_the_guarded_insert_writes_the_row_the_orm_would(org, campaign):
    share = assert_logged_at_once(org["alice"], campaign.pk, ALICE_X + "?s=20")

    assert share.url == ALICE_X + "?s=20"
    assert (share.normalized_url, share.platform, share.post_id, share.author_handle) == (
        ALICE_X,
        "x",
        "1800000000000000001",
        "alice_tan",
    )
    assert (share.source, share.short_url, share.status_reason, share.status_code) == (
        "api",
        "",
        "",
        "",
    )
    assert share.status_params == {} and share.replaced_by is None and not share.screenshot
    assert share.verified_at is None and share.last_checked_at is None
    assert share.submitted_at <= share.created_at <= share.updated_at
    assert share.status_changed_at <= share.created_at
