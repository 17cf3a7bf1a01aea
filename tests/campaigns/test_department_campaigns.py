"""Department campaigns (issue 16.7): a manager creates and publishes campaigns for their
own subtree, edits and closes their own; HR sees and changes every campaign and can
switch the right off per unit (inherited down the tree). A manager's campaign does not
count for the KPI unless HR turns it on, and turning it on or off recounts at once."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from campaigns import services
from campaigns.models import Campaign, CampaignStatus, ShareStatus
from scoring.models import KpiScore
from tests.factories import UserFactory, make_campaign, make_share, make_unit

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaigns/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(**changes) -> dict:
    today = timezone.localdate()
    return {
        "title": "Comms open day",
        "description": "Our unit's own good news.",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=14)).isoformat(),
        "posts": [{"url": "https://www.facebook.com/govmy/posts/3003"}],
        "units": [make_unit("HQ/Comms").pk],
        **changes,
    }


def values(**changes) -> services.CampaignInput:
    today = timezone.localdate()
    fields = {
        "title": "Comms open day",
        "description": "",
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=14),
        "post_urls": ["https://www.facebook.com/govmy/posts/3003"],
        "units": [make_unit("HQ/Comms")],
        **changes,
    }
    return services.CampaignInput(**fields)


def test_a_manager_creates_a_campaign_for_their_subtree(org):
    response = api(org["bob"]).post(URL, body(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["counts_for_kpi"] is False  # a manager's: not for the KPI
    campaign = Campaign.objects.get()
    assert campaign.created_by == org["bob"] and campaign.status == CampaignStatus.ACTIVE
    entry = AuditEntry.objects.get(action="campaign.created")
    assert entry.actor_id == org["bob"].pk and entry.after["counts_for_kpi"] is False


def test_their_own_unit_is_inside_their_subtree(org):
    response = api(org["bob"]).post(URL, body(units=[make_unit("HQ").pk]), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("units", [["People"], ["HQ", "People"], []])
def test_an_audience_outside_their_subtree_or_everyone_is_refused(org, units):
    response = api(org["bob"]).post(
        URL, body(units=[make_unit(u).pk for u in units]), format="json"
    )

    assert response.status_code == 400
    assert "units" in response.json()
    assert not Campaign.objects.exists()


def test_a_unit_merely_sharing_a_name_prefix_is_outside(org):
    response = api(org["bob"]).post(URL, body(units=[make_unit("HQX").pk]), format="json")
    assert response.status_code == 400 and "HQX" in response.json()["units"][0]


def test_only_hr_makes_a_managers_campaign_count(org):
    response = api(org["bob"]).post(URL, body(counts_for_kpi=True), format="json")

    assert response.status_code == 400
    assert "Only HR" in response.json()["counts_for_kpi"][0]
    assert not Campaign.objects.exists()


def test_hr_campaigns_count_by_default_and_hr_may_say_otherwise(org):
    first = api(org["hana"]).post(URL, body(units=[]), format="json").json()
    second = (
        api(org["hana"])
        .post(
            URL,
            body(counts_for_kpi=False, posts=[{"url": "https://x.com/govmy/status/4004"}]),
            format="json",
        )
        .json()
    )
    assert (first["counts_for_kpi"], second["counts_for_kpi"]) == (True, False)


def test_staff_may_not_create_campaigns(org):
    assert api(org["alice"]).post(URL, body(), format="json").status_code == 403
    assert page(org["alice"]).get("/campaigns/new/").status_code == 403


def test_hr_switches_the_right_off_for_a_unit_and_the_units_below(org):
    services.set_manager_campaign_right(actor=org["hana"], unit=make_unit("HQ"), allowed=False)
    carol = UserFactory(staff_id="carol", unit="HQ/Comms", role="manager")

    for manager in (org["bob"], carol):
        assert api(manager).post(URL, body(), format="json").status_code == 403
        assert page(manager).get("/campaigns/new/").status_code == 403
    assert not Campaign.objects.exists()
    entry = AuditEntry.objects.get(action="campaign_right.changed")
    assert entry.after == {"managers_may_campaign": False}

    services.set_manager_campaign_right(actor=org["hana"], unit=make_unit("HQ"), allowed=True)
    assert api(carol).post(URL, body(), format="json").status_code == 201


def test_switching_the_right_off_elsewhere_does_not_touch_this_unit(org):
    services.set_manager_campaign_right(actor=org["hana"], unit=make_unit("People"), allowed=False)
    assert api(org["bob"]).post(URL, body(), format="json").status_code == 201


def test_only_hr_switches_the_right(org):
    with pytest.raises(services.CampaignNotAllowed):
        services.set_manager_campaign_right(actor=org["bob"], unit=make_unit("HQ"), allowed=True)


def test_a_manager_edits_and_closes_their_own_campaign_only(org):
    own = services.save_campaign(actor=org["bob"], values=values())
    hrs = make_campaign("HR's campaign", created_by=org["hana"])
    other = make_campaign("Dee's campaign", created_by=UserFactory(staff_id="dee", role="manager"))
    client = page(org["bob"])

    assert client.get(f"/campaigns/{own.pk}/edit/").status_code == 200
    for campaign in (hrs, other):
        assert client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 403
        assert client.post(f"/campaigns/{campaign.pk}/close/").status_code == 403
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.ACTIVE

    assert client.post(f"/campaigns/{own.pk}/close/").status_code == 302
    own.refresh_from_db()
    assert own.status == CampaignStatus.CLOSED


def test_the_managers_form_offers_their_subtree_and_no_kpi_switch(org):
    make_unit("People")
    make_unit("HQ/Comms/Digital")
    response = page(org["bob"]).get("/campaigns/new/")

    form = response.context["form"]
    assert "counts_for_kpi" not in form.fields
    assert {u.path for u in form.fields["units"].queryset} == {
        "HQ",
        "HQ/Comms",
        "HQ/Comms/Digital",
        "HQ/Finance",
    }
    assert "counts_for_kpi" in page(org["hana"]).get("/campaigns/new/").context["form"].fields


def test_a_manager_publishes_through_the_page(org):
    response = page(org["bob"]).post(
        "/campaigns/new/",
        {
            "title": "Finance week",
            "description": "",
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "post_urls": "https://www.facebook.com/govmy/posts/5005",
            "units": [make_unit("HQ/Finance").pk],
            "publish": "1",
        },
    )

    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.created_by, campaign.counts_for_kpi) == (org["bob"], False)
    assert [u.path for u in campaign.units.all()] == ["HQ/Finance"]
    listed = page(org["bob"]).get("/campaigns/?run=mine")
    assert "Finance week" in listed.content.decode()


def test_a_managers_draft_is_theirs_to_see(org):
    draft = services.save_campaign(actor=org["bob"], values=values(status=CampaignStatus.DRAFT))

    assert page(org["bob"]).get(f"/campaigns/{draft.pk}/").status_code == 200
    assert api(org["bob"]).get(f"{URL}{draft.pk}/").status_code == 200
    assert api(org["alice"]).get(f"{URL}{draft.pk}/").status_code == 404


def verify(share):
    with transaction.atomic():
        services.change_share_status(share=share, new_status=ShareStatus.VERIFIED)


def points_of(user) -> int:
    row = KpiScore.objects.filter(user=user).first()
    return 0 if row is None else row.verified_shares


def test_a_campaign_that_does_not_count_gives_no_kpi_until_hr_turns_it_on(org):
    campaign = services.save_campaign(actor=org["bob"], values=values())
    share = make_share(org["alice"], campaign, "https://www.facebook.com/alice/posts/77")
    verify(share)
    assert points_of(org["alice"]) == 0

    services.save_campaign(actor=org["hana"], values=values(counts_for_kpi=True), campaign=campaign)
    assert points_of(org["alice"]) == 1  # recounted in the same transaction

    # The manager edits it later: it keeps counting (only HR decides that).
    services.save_campaign(actor=org["bob"], values=values(title="Renamed"), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.counts_for_kpi and points_of(org["alice"]) == 1

    # Turning it off again (HR, or the manager) takes the points back.
    services.save_campaign(actor=org["bob"], values=values(counts_for_kpi=False), campaign=campaign)
    assert points_of(org["alice"]) == 0
    edits = AuditEntry.objects.filter(action="campaign.edited").order_by("pk")
    assert [e.after["counts_for_kpi"] for e in edits] == [True, True, False]
