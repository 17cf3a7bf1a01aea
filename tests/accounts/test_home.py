"""The home page shows what matters now: campaigns to share (a button each), my shares
waiting or needing action, my points this year and what the next band needs; and the
queries it takes do not grow with the person's shares or campaigns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from campaigns.models import ShareStatus
from tests.factories import UserFactory, make_campaign, make_share

pytestmark = pytest.mark.django_db


def page(person) -> str:
    client = Client()
    client.force_login(person)
    return client.get("/").content.decode()


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


def test_campaigns_not_shared_yet_have_a_button_and_shared_ones_leave(alice):
    budget = make_campaign("Budget day")
    shared = make_campaign("Health week")
    make_share(alice, shared, "https://www.facebook.com/alice/posts/1")

    html = page(alice)
    section = html[html.index('id="home-to-share"') :]
    section = section[: section.index("</section>")]
    assert "Budget day" in section and "Health week" not in section
    assert f"/shares/new/?campaign={budget.pk}" in section


def test_nothing_to_share_says_so(alice):
    assert "You have shared every open campaign." in page(alice)


def test_shares_waiting_or_needing_action_are_listed_with_what_to_do(alice):
    campaign = make_campaign("Budget day")
    make_share(alice, campaign, "https://www.facebook.com/alice/posts/1", status="pending")
    rejected = make_share(
        alice, campaign, "https://x.com/alice/status/2", status=ShareStatus.REJECTED
    )
    other = make_campaign("Old news")
    make_share(alice, other, "https://www.facebook.com/alice/posts/3", status="verified")

    html = page(alice)
    section = html[html.index('id="home-my-shares"') :]
    section = section[: section.index("</section>")]
    assert "Pending" in section and "Rejected" in section and "Old news" not in section
    assert section.count("What can I do?") == 1
    assert f"#share-{rejected.pk}" in section


def test_no_waiting_shares_no_section(alice):
    assert 'id="home-my-shares"' not in page(alice)


def test_points_this_year_and_the_next_band(alice):
    campaign = make_campaign("Budget day")
    make_share(alice, campaign, "https://www.facebook.com/alice/posts/1", status="verified")

    html = page(alice)
    section = html[html.index('id="home-points"') :]
    section = section[: section.index("</section>")]
    # The default bands: 1-5 verified shares = 1 point; 6 reach the next band.
    assert '<div class="value">1</div><div class="label">KPI points' in section
    assert "more verified shares to reach the next band" in section
    assert '<div class="value">5</div>' in section


def test_the_home_page_costs_the_same_with_many_shares_and_campaigns(alice):
    def queries() -> int:
        client = Client()
        client.force_login(alice)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    make_campaign("First")
    few = queries()
    for n in range(12):
        campaign = make_campaign(f"Campaign {n}")
        make_share(alice, campaign, f"https://x.com/alice/status/{100 + n}", status="rejected")
    assert queries() <= few + 5  # at most one lookup per listed share (its page in My shares)
