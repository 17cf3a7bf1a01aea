"""The catalogue of reason codes: every reason a member of staff reads comes from it
(HR's own words excepted), in plain words that say what happens next; shares store the
code and its parameters, not English text."""

from __future__ import annotations

import importlib
import pathlib
import re

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Platform, Role
from campaigns import reasons as campaign_reasons
from campaigns.models import Share, ShareStatus
from tests.factories import UserFactory, make_campaign, make_share
from verification import reasons, review

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Example parameters for every placeholder the catalogue uses.
EXAMPLE = {
    "platform": "x",
    "other": "facebook",
    "author": "mallory",
    "handle": "alice",
    "handles": "@alice, @alice_work",
    "tries": 6,
    "error": "This is a profile link, not a post.",
    "note": "The screenshot shows her account.",
}
# Words that mean something to engineers, not to the person who shared a post.
JARGON = re.compile(
    r"network check|structural|oembed|http|policy|sampled|status code|\b[45]\d\d\b|"
    r"captcha|verifier|parse",
    re.IGNORECASE,
)


def params_of(code: str) -> dict:
    text = str(reasons.CATALOGUE[code].staff) + str(reasons.CATALOGUE[code].hr)
    # "a_platform" and "an_other" are shown from the stored "platform" and "other".
    derived = {"a_platform": "platform", "an_other": "other"}
    names = {derived.get(name, name) for name in re.findall(r"%\((\w+)\)s", text)}
    return {name: EXAMPLE[name] for name in names}


@pytest.mark.parametrize("code", sorted(reasons.CATALOGUE))
def test_every_reason_reads_for_staff_and_hr(code):
    why = reasons.describe(code, params_of(code))
    assert why.staff and why.hr
    assert "%(" not in why.staff and "%(" not in why.hr
    assert why.staff[0].isupper()
    assert why.staff.endswith(".") or code == "rejected.invalid"
    assert why.action in ("", reasons.SCREENSHOT, reasons.ACCOUNTS, reasons.APPEAL)


@pytest.mark.parametrize("code", sorted(reasons.CATALOGUE))
def test_staff_messages_have_no_jargon(code):
    assert not JARGON.search(str(reasons.CATALOGUE[code].staff)), code


@pytest.mark.parametrize("code", sorted(c for c in reasons.CATALOGUE if c.startswith("review.")))
def test_a_share_in_review_says_that_hr_will_look(code):
    assert "HR will look" in str(reasons.CATALOGUE[code].staff)


def test_platform_parameters_read_as_the_platform_name():
    why = reasons.describe("review.short_link_elsewhere", {"platform": "x", "other": "facebook"})
    assert (
        why.staff == "This X (Twitter) short link leads to a Facebook post, so HR will look at it."
    )


# A code in the source: a string like "review.policy" (audit actions, which look alike,
# are passed as action="...").
CODE_LITERAL = re.compile(
    r'(?<!action=)"((?:verified|review|reviewed|rejected|removed|appeal)\.[a-z_]+)"'
)


def test_every_code_the_code_uses_is_in_the_catalogue_and_every_entry_is_used():
    used = set()
    for path in [*ROOT.glob("verification/*.py"), *ROOT.glob("campaigns/*.py")]:
        if path.name != "reasons.py":
            used |= set(CODE_LITERAL.findall(path.read_text()))
    # campaigns.demo writes codes directly (it may not import verification).
    demo = importlib.import_module("campaigns.demo")
    used |= {code for _, _, code in demo.OUTCOMES}
    assert used - set(reasons.CATALOGUE) == set()
    assert set(reasons.CATALOGUE) - used == set()


def test_an_unknown_code_or_a_missing_parameter_is_refused_at_once():
    with pytest.raises(ValueError, match="unknown reason code"):
        reasons.coded("review.typo")
    with pytest.raises(ValueError, match="needs the parameter platform"):
        reasons.coded("review.policy")
    assert reasons.coded("review.policy", platform="x") == ("review.policy", {"platform": "x"})


def test_a_code_of_an_older_release_reads_as_a_neutral_line():
    assert reasons.describe("review.gone_away", {}).staff == "Status changed by an automatic check."
    assert reasons.describe("review.policy", {}).staff == "Status changed by an automatic check."


@pytest.mark.django_db
def test_hr_words_of_a_review_ride_in_a_code_read_in_the_persons_language():
    hr = UserFactory(role=Role.HR_ADMIN)
    share = make_share(
        UserFactory(),
        make_campaign(),
        "https://x.com/alice/status/1790000000000000001",
        status=ShareStatus.NEEDS_REVIEW,
        status_code="review.sampled",
        status_params={"platform": "x"},
    )
    review.decide(share=share, reviewer=hr, decision="reject", reason="Not her account")
    share.refresh_from_db()
    assert (share.status_code, share.status_params) == (
        "reviewed.rejected",
        {"note": "Not her account"},
    )
    assert share.reason.staff == "Rejected by HR in review: Not her account"
    assert share.reason.action == reasons.APPEAL
    with translation.override("ms"):
        in_malay = share.reason.staff
    with translation.override("id"):
        in_indonesian = share.reason.staff
    assert "Not her account" in in_malay and "Not her account" in in_indonesian
    assert len({in_malay, in_indonesian, "Rejected by HR in review: Not her account"}) == 3


@pytest.mark.django_db
def test_staff_read_the_plain_message_on_my_shares_and_in_the_api_hr_the_detail():
    staff = UserFactory(staff_id="alice")
    share = make_share(
        staff,
        make_campaign(),
        "https://x.com/alice/status/1790000000000000001",
        status=ShareStatus.NEEDS_REVIEW,
        status_code="review.no_account",
        status_params={"platform": Platform.X, "author": "alice"},
    )
    client = Client()
    client.force_login(staff)
    html = client.get("/shares/").content.decode()
    assert "You have no X (Twitter) account registered" in html
    assert 'href="/me/accounts/"' in html

    api = APIClient()
    api.force_authenticate(staff)
    body = api.get(f"/api/v1/shares/{share.pk}/").json()
    assert body["reason_code"] == "review.no_account"
    assert body["status_reason"].startswith("You have no X (Twitter) account registered")

    hr = Client()
    hr.force_login(UserFactory(role=Role.HR_ADMIN))
    html = hr.get("/review/").content.decode()
    assert "The post is by @alice; the person has no registered X (Twitter) account." in html


def test_the_reason_registry_is_installed():
    share = Share(status_code="review.policy", status_params={"platform": "x"})
    assert campaign_reasons.describe(share).staff.startswith("HR checks every X (Twitter) share")


# --- the migration that mapped the reasons written before -----------------------------


MIGRATION = importlib.import_module("campaigns.migrations.0006_share_reason_code")


@pytest.mark.parametrize(
    ("platform", "text", "code", "params"),
    [
        ("x", "structural checks passed", "verified.checks", {}),
        ("x", "sampled for review", "review.sampled", {}),
        ("tiktok", "network checks are off", "review.not_checked", {}),
        (
            "x",
            "network checks are off: the short link could not be expanded",
            "review.short_link",
            {},
        ),
        ("x", "duplicate of an already logged post", "rejected.duplicate", {}),
        ("youtube", "every YouTube share is reviewed by HR", "review.policy", {}),
        ("x", "the post is gone: X oEmbed answered 404", "rejected.gone", {}),
        ("x", "the post was removed: re-check 404", "removed.gone", {}),
        ("x", "could not reach X (Twitter) after 6 tries", "review.unreachable", {"tries": 6}),
        (
            "x",
            "the post is by @mallory, not by the registered X (Twitter) account @alice",
            "rejected.author",
            {"author": "mallory", "handles": "@alice"},
        ),
        (
            "facebook",
            "That is the official post: share it from your own account, then paste the link of "
            "your share.",
            "rejected.official_post",
            {},
        ),
    ],
)
def test_the_migration_maps_every_reason_the_verifier_wrote(platform, text, code, params):
    share = Share(platform=platform, status_reason=text)
    assert MIGRATION.code_of(share) == (code, {"platform": platform, **params})
    reasons.describe(code, {"platform": platform, **params})  # and it reads


@pytest.mark.parametrize("text", ["Rejected in review: not her account", "Approved in review"])
def test_the_migration_leaves_hr_words_as_text(text):
    assert MIGRATION.code_of(Share(platform="x", status_reason=text)) is None


@pytest.mark.parametrize(
    ("platform", "other", "staff"),
    [
        ("tiktok", "instagram", "This TikTok short link leads to an Instagram post"),
        ("youtube", "x", "This YouTube short link leads to an X (Twitter) post"),
        ("facebook", "linkedin", "This Facebook short link leads to a LinkedIn post"),
    ],
)
def test_the_article_follows_the_platform_name(platform, other, staff):
    why = reasons.describe("review.short_link_elsewhere", {"platform": platform, "other": other})
    assert why.staff.startswith(staff)
    assert reasons.describe("verified.checks", {"platform": "instagram"}).staff == (
        "Verified: the link is an Instagram post."
    )


MIGRATION_9 = importlib.import_module("campaigns.migrations.0009_review_reason_codes")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Approved in review", ("reviewed.approved", {})),
        ("Approved in review: it is there", ("reviewed.approved_note", {"note": "it is there"})),
        (
            "Rejected in review: not her\naccount",
            ("reviewed.rejected", {"note": "not her\naccount"}),
        ),
        ("Verified on appeal: the post is hers", ("appeal.verified", {"note": "the post is hers"})),
        ("Disahkan melalui rayuan: ya", ("appeal.verified", {"note": "ya"})),
        ("Terverifikasi melalui banding: ya", ("appeal.verified", {"note": "ya"})),
        ("Not her account", None),
        ("Rejected in review", None),
    ],
)
def test_the_review_migration_maps_earlier_decisions_to_codes(text, found):
    assert MIGRATION_9.code_of(text) == found
    if found is not None:
        reasons.describe(*found)  # and it reads
