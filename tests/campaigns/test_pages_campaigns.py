"""HR campaign pages: list, create, edit, close, progress and the not-shared CSV.

The org (HQ, HQ/Comms, HQ/Comms/Digital, HQ/CommsExtra):
alice, ben (staff) and dan (manager) in HQ/Comms/Digital; ali, amy (staff)
and bob (manager) in HQ/Comms; cara, inactive, in HQ/Comms; eve in
HQ/CommsExtra (a sibling whose name starts like Comms); hana, HR admin, in HQ.
"""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEntry
from campaigns.models import Campaign, CampaignStatus, Share, ShareStatus
from tests.factories import UserFactory, make_campaign, make_share, make_unit

pytestmark = pytest.mark.django_db

FACEBOOK_POST = "https://www.facebook.com/govmy/posts/1001"
X_POST = "https://x.com/govmy/status/1001"
_post_ids = itertools.count(5000)


def share(person, campaign, status=ShareStatus.PENDING, platform="facebook") -> Share:
    """A share as the verifier would leave it (hand-built, no service rules)."""
    post_id = next(_post_ids)
    url = (
        f"https://www.facebook.com/{person.staff_id}/posts/{post_id}"
        if platform == "facebook"
        else f"https://x.com/{person.staff_id}/status/{post_id}"
    )
    return make_share(person, campaign, url, status=status)


@pytest.fixture
def org():
    def person(staff_id, unit, role=Role.STAFF, **extra):
        extra.setdefault("full_name", staff_id.title())
        return UserFactory(
            staff_id=staff_id, email=f"{staff_id}@example.com", unit=unit, role=role, **extra
        )

    return {
        "alice": person("alice", "HQ/Comms/Digital"),
        "ben": person("ben", "HQ/Comms/Digital", full_name="Tan, Ben 陈"),
        "dan": person("dan", "HQ/Comms/Digital", Role.MANAGER, full_name="Dan"),
        "ali": person("ali", "HQ/Comms"),
        "amy": person("amy", "HQ/Comms"),
        "bob": person("bob", "HQ/Comms", Role.MANAGER, full_name="Bob"),
        "cara": person("cara", "HQ/Comms", is_active=False),
        "eve": person("eve", "HQ/CommsExtra"),
        "hana": person("hana", "HQ", Role.HR_ADMIN),
    }


@pytest.fixture
def comms_week(org):
    """Audience HQ/Comms: alice verified; ali pending; amy pending on Facebook and
    verified on X (counted once); cara inactive with a share; eve outside."""
    campaign = make_campaign("Comms week", units=("HQ/Comms",), posts=(FACEBOOK_POST, X_POST))
    share(org["alice"], campaign, ShareStatus.VERIFIED)
    share(org["ali"], campaign, ShareStatus.PENDING)
    share(org["amy"], campaign, ShareStatus.PENDING, platform="facebook")
    share(org["amy"], campaign, ShareStatus.VERIFIED, platform="x")
    share(org["cara"], campaign, ShareStatus.VERIFIED)
    share(org["eve"], campaign, ShareStatus.VERIFIED)
    return campaign


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def stat(html: str, name: str) -> str:
    marker = f'id="stat-{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


# --- list -----------------------------------------------------------------------------------


def test_hr_sees_every_campaign_with_status_audience_posts_and_counts(org, comms_week):
    make_campaign("Next month", status=CampaignStatus.DRAFT)
    response = client_for(org["hana"]).get("/campaigns/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Comms week" in html and "Next month" in html
    assert "HQ/Comms" in html and "Everyone" in html
    assert "badge-draft" in html and "badge-active" in html
    assert f'href="{FACEBOOK_POST}"' in html
    assert f'href="/campaigns/{comms_week.pk}/edit/"' in html
    assert f'action="/campaigns/{comms_week.pk}/close/"' in html
    # Shared: alice, ali, amy, cara, eve (5 people; amy once). Verified: alice, amy, cara, eve.
    row = html[html.index(f'id="campaign-{comms_week.pk}"') :]
    assert '<td data-label="Shared" class="num">5</td>' in row
    assert '<td data-label="Verified" class="num">4</td>' in row


def test_hr_list_counts_one_page_in_a_fixed_number_of_queries(
    org, comms_week, django_assert_max_num_queries
):
    """Counts come from one aggregate over the page's campaigns, whatever their number."""
    client = client_for(org["hana"])
    client.get("/campaigns/")  # session and the like, warmed up
    with django_assert_max_num_queries(8) as few:
        client.get("/campaigns/")
    for n in range(12):
        make_campaign(f"Campaign {n}")
    with django_assert_max_num_queries(len(few)):
        client.get("/campaigns/")


def test_hr_list_filters_by_status(org):
    make_campaign("Open one")
    make_campaign("Old one", status=CampaignStatus.CLOSED)
    html = client_for(org["hana"]).get("/campaigns/?status=closed").content.decode()
    assert "Old one" in html and "Open one" not in html


def test_staff_and_managers_get_what_to_share_instead_of_the_hr_list(org):
    make_campaign("Budget day")
    for name in ("alice", "bob"):
        html = client_for(org[name]).get("/campaigns/").content.decode()
        assert "To share" in html and "Budget day" in html
        assert "New campaign" not in html


# --- create and edit ----------------------------------------------------------------------


def form_data(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "title": "Budget day",
        "description": "Share the budget speech.",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=14)).isoformat(),
        "post_urls": f"{FACEBOOK_POST}?__cft__[0]=abc\r\n\r\n{X_POST}?s=20\r\n",
        "publish": "1",
    }
    data.update(overrides)
    return data


def test_hr_creates_a_campaign_with_official_posts_and_audience(org):
    comms = make_unit("HQ/Comms")
    response = client_for(org["hana"]).post("/campaigns/new/", form_data(units=[comms.pk]))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.title == "Budget day" and campaign.status == CampaignStatus.ACTIVE
    assert campaign.created_by == org["hana"]
    assert list(campaign.units.all()) == [comms]
    assert {(p.platform, p.normalized_url) for p in campaign.posts.all()} == {
        ("facebook", FACEBOOK_POST),
        ("x", X_POST),
    }


def test_create_form_lists_units_by_path_indented_by_depth(org):
    html = client_for(org["hana"]).get("/campaigns/new/").content.decode()
    assert '<textarea name="post_urls"' in html
    assert ">HQ</option>" in html
    assert ">" + "\u00a0" * 3 + "HQ/Comms</option>" in html
    assert ">" + "\u00a0" * 6 + "HQ/Comms/Digital</option>" in html


@pytest.mark.parametrize(
    ("post_urls", "message"),
    [
        ("https://www.facebook.com/govmy", "profile"),
        ("https://example.com/news/1", "example.com"),
        (f"{FACEBOOK_POST}\nhttps://www.facebook.com/govmy/posts/1002", "only one official post"),
        ("", "This field is required"),
    ],
)
def test_bad_official_post_urls_are_shown_on_the_field_and_nothing_is_saved(
    org, post_urls, message
):
    response = client_for(org["hana"]).post("/campaigns/new/", form_data(post_urls=post_urls))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    field = html[html.index('<textarea name="post_urls"') :]
    assert '<p class="error">' in field[: field.index("</div>")]
    assert not Campaign.objects.exists()


def test_window_must_not_end_before_it_starts(org):
    today = timezone.localdate()
    data = form_data(ends_on=(today - datetime.timedelta(days=1)).isoformat())
    response = client_for(org["hana"]).post("/campaigns/new/", data)
    assert "The campaign cannot end before it starts." in response.content.decode()
    assert not Campaign.objects.exists()


def test_hr_edits_a_campaign(org, comms_week):
    client = client_for(org["hana"])
    page = client.get(f"/campaigns/{comms_week.pk}/edit/").content.decode()
    assert 'value="Comms week"' in page and FACEBOOK_POST in page
    response = client.post(
        f"/campaigns/{comms_week.pk}/edit/",
        form_data(title="Comms fortnight", post_urls=FACEBOOK_POST, status="draft"),
    )
    assert response.status_code == 302
    comms_week.refresh_from_db()
    assert comms_week.title == "Comms fortnight" and comms_week.status == CampaignStatus.DRAFT
    assert list(comms_week.posts.values_list("platform", flat=True)) == ["facebook"]
    assert not comms_week.units.exists()  # none chosen = everyone


def test_hr_closes_a_campaign(org, comms_week):
    client = client_for(org["hana"])
    assert client.get(f"/campaigns/{comms_week.pk}/close/").status_code == 405
    response = client.post(f"/campaigns/{comms_week.pk}/close/", follow=True)
    comms_week.refresh_from_db()
    assert comms_week.status == CampaignStatus.CLOSED
    assert "is closed" in response.content.decode()


# --- draft and publish -------------------------------------------------------------------


def test_the_new_campaign_form_starts_today_for_two_weeks_and_offers_draft_or_publish(org):
    response = client_for(org["hana"]).get("/campaigns/new/")
    form = response.context["form"]
    html = response.content.decode()
    today = timezone.localdate()
    assert "status" not in form.fields
    assert f'name="starts_on" value="{today.isoformat()}"' in html
    assert f'name="ends_on" value="{(today + datetime.timedelta(days=14)).isoformat()}"' in html
    assert 'name="publish" value="1"' in html and "Save as draft" in html
    assert "data-unit-picker" in html and "js/unit-picker.js" in html


def test_a_new_campaign_is_a_draft_unless_published_and_staff_do_not_see_it(org):
    hr = client_for(org["hana"])
    data = form_data()
    del data["publish"]
    response = hr.post("/campaigns/new/", data, follow=True)
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.DRAFT
    html = response.content.decode()
    assert "saved as a draft" in html and 'id="draft-notice"' in html
    assert "Budget day" not in client_for(org["alice"]).get("/campaigns/").content.decode()

    response = hr.post(f"/campaigns/{campaign.pk}/publish/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ACTIVE
    assert "is published" in response.content.decode()
    assert 'id="draft-notice"' not in response.content.decode()
    assert "Budget day" in client_for(org["alice"]).get("/campaigns/").content.decode()
    entry = AuditEntry.objects.get(action="campaign.published")
    assert (entry.actor_id, entry.before, entry.after) == (
        org["hana"].pk,
        {"status": "draft"},
        {"status": "active"},
    )


def test_publishing_what_is_not_a_draft_changes_nothing(org, comms_week):
    response = client_for(org["hana"]).post(f"/campaigns/{comms_week.pk}/publish/", follow=True)
    comms_week.refresh_from_db()
    assert comms_week.status == CampaignStatus.ACTIVE
    assert "nothing to publish" in response.content.decode()
    assert not AuditEntry.objects.filter(action="campaign.published").exists()


def test_publish_is_a_post_and_only_for_who_may_manage_it(org, comms_week):
    comms_week.status = CampaignStatus.DRAFT
    comms_week.save()
    assert client_for(org["hana"]).get(f"/campaigns/{comms_week.pk}/publish/").status_code == 405
    for person in ("alice", "bob"):
        response = client_for(org[person]).post(f"/campaigns/{comms_week.pk}/publish/")
        assert response.status_code in (403, 404)
    comms_week.refresh_from_db()
    assert comms_week.status == CampaignStatus.DRAFT


# --- progress ----------------------------------------------------------------------------


def test_progress_counts_active_audience_shared_and_verified_people(org, comms_week):
    response = client_for(org["hana"]).get(f"/campaigns/{comms_week.pk}/")
    html = response.content.decode()
    # Audience: alice, ben, dan, ali, amy, bob (cara inactive, eve and hana outside).
    assert stat(html, "audience") == "6"
    assert stat(html, "shared") == "3"  # alice, ali, amy
    assert stat(html, "verified") == "2"  # alice, amy
    assert stat(html, "not-shared") == "3"
    not_shared = [p.staff_id for p in response.context["page"]]
    assert not_shared == ["bob", "dan", "ben"]  # by unit path, then full name


def test_campaign_for_everyone_counts_every_active_person(org):
    campaign = make_campaign("Budget day")
    share(org["eve"], campaign, ShareStatus.VERIFIED)
    html = client_for(org["hana"]).get(f"/campaigns/{campaign.pk}/").content.decode()
    assert stat(html, "audience") == "8"  # everyone but cara
    assert stat(html, "shared") == "1" and stat(html, "verified") == "1"


def test_not_shared_list_is_paginated(org):
    campaign = make_campaign("Budget day", units=("Big",))
    UserFactory.create_batch(55, unit="Big")
    client = client_for(org["hana"])
    first = client.get(f"/campaigns/{campaign.pk}/")
    second = client.get(f"/campaigns/{campaign.pk}/?page=2")
    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_progress_takes_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    campaign = make_campaign("Budget day", units=("Big",))
    people = UserFactory.create_batch(40, unit="Big/Team")
    for person in people[:30]:
        share(person, campaign, ShareStatus.VERIFIED)
    client = client_for(org["hana"])
    with django_assert_max_num_queries(10):
        response = client.get(f"/campaigns/{campaign.pk}/")
    assert stat(response.content.decode(), "not-shared") == "10"
    with django_assert_max_num_queries(8):
        csv_response = client.get(f"/campaigns/{campaign.pk}/not-shared.csv")
        body = b"".join(csv_response.streaming_content)
    assert body.count(b"\r\n") == 11


def test_manager_sees_progress_of_their_own_subtree_only(org, comms_week):
    response = client_for(org["dan"]).get(f"/campaigns/{comms_week.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Progress in HQ/Comms/Digital" in html
    # alice, ben, dan: alice has a verified share.
    assert [stat(html, n) for n in ("audience", "shared", "verified", "not-shared")] == [
        "3",
        "1",
        "1",
        "2",
    ]
    assert "Edit" not in html


def test_managers_cannot_see_draft_campaigns(org):
    draft = make_campaign("Next month", status=CampaignStatus.DRAFT)
    assert client_for(org["bob"]).get(f"/campaigns/{draft.pk}/").status_code == 404


# --- not-shared CSV ---------------------------------------------------------------------


def test_not_shared_csv_exact_contents(org, comms_week):
    response = client_for(org["hana"]).get(f"/campaigns/{comms_week.pk}/not-shared.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="campaign-{comms_week.pk}-not-shared.csv"'
    )
    body = b"".join(response.streaming_content)
    assert (
        body
        == (
            "\ufeffstaff_id,full_name,email,unit\r\n"
            "bob,Bob,bob@example.com,HQ/Comms\r\n"
            "dan,Dan,dan@example.com,HQ/Comms/Digital\r\n"
            'ben,"Tan, Ben 陈",ben@example.com,HQ/Comms/Digital\r\n'
        ).encode()
    )


def test_not_shared_csv_of_a_manager_is_scoped_to_their_subtree(org, comms_week):
    response = client_for(org["dan"]).get(f"/campaigns/{comms_week.pk}/not-shared.csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines] == ["staff_id", "dan", "ben"]


def test_csv_cells_that_look_like_formulas_are_neutralised(org):
    campaign = make_campaign("Budget day", units=("Ops",))
    UserFactory(staff_id="z1", full_name="=HYPERLINK(1)", email="z1@example.com", unit="Ops")
    response = client_for(org["hana"]).get(f"/campaigns/{campaign.pk}/not-shared.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "z1,'=HYPERLINK(1),z1@example.com,Ops\r\n" in body


# --- access -------------------------------------------------------------------------------


# Managers may create department campaigns (tests/campaigns/test_department_campaigns.py),
# and edit or close only their own: HR's campaign is HR's.
HR_ONLY = [
    ("get", "/campaigns/{pk}/edit/"),
    ("post", "/campaigns/{pk}/edit/"),
    ("post", "/campaigns/{pk}/close/"),
]
HR_AND_MANAGERS = [("get", "/campaigns/{pk}/"), ("get", "/campaigns/{pk}/not-shared.csv")]


@pytest.mark.parametrize(("method", "path"), HR_ONLY)
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_staff_and_managers_are_refused_hr_pages(org, comms_week, who, method, path):
    response = getattr(client_for(org[who]), method)(path.format(pk=comms_week.pk))
    assert response.status_code == 403
    comms_week.refresh_from_db()
    assert comms_week.status == CampaignStatus.ACTIVE


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/campaigns/new/"), ("post", "/campaigns/new/")]
)
def test_staff_are_refused_the_new_campaign_page(org, method, path):
    assert getattr(client_for(org["alice"]), method)(path).status_code == 403
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(("method", "path"), HR_AND_MANAGERS)
def test_staff_are_refused_progress_pages(org, comms_week, method, path):
    response = getattr(client_for(org["alice"]), method)(path.format(pk=comms_week.pk))
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path"), [*HR_ONLY, *HR_AND_MANAGERS, ("get", "/campaigns/")])
def test_anonymous_is_sent_to_the_login_page(comms_week, method, path):
    path = path.format(pk=comms_week.pk)
    response = getattr(Client(), method)(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_navigation_has_one_campaigns_entry_for_everyone(org):
    for name in ("alice", "bob", "hana"):
        html = client_for(org[name]).get("/").content.decode()
        assert html.count('href="/campaigns/"') >= 1
        assert ">Campaigns</a>" in html and ">To share</a>" not in html
        assert 'href="/shares/">My shares</a>' in html
        assert 'href="/bookmarklet/">Bookmarklet</a>' in html
