"""The /review/ page as HR works through it: a "select all on this page" box for the bulk
decision (hidden until static/js/select-all.js shows it), the campaign's official post
beside each share, the order stated (oldest first) or chosen with ?sort=, and the same
number of queries however many shares wait.

Actors: alice and carol (staff) whose shares wait; hana (HR admin).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Platform
from tests.factories import HrAdminFactory, UserFactory, make_campaign

from .test_review import share_in_review

pytestmark = pytest.mark.django_db
URL = "/review/"


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms/Digital")


@pytest.fixture
def carol():
    return UserFactory(staff_id="carol", full_name="Carol Ng", unit="HQ/Finance")


@pytest.fixture
def hana(client):
    hana = HrAdminFactory(staff_id="hana", full_name="Hana HR", unit="HQ")
    client.force_login(hana)
    return hana


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="share-(\d+)"', html)]


def test_the_bulk_form_has_a_select_all_box_that_scripts_show(client, alice, hana):
    shares = [share_in_review(alice), share_in_review(alice)]
    html = client.get(URL).content.decode()

    holder = re.search(r'<p class="select-all" hidden>(.*?)</p>', html, re.S)
    assert holder, "the select-all box sits in the page, hidden until the script runs"
    assert 'data-select-all="share"' in holder.group(1)
    assert "Select all on this page" in holder.group(1)
    assert "name=" not in holder.group(1)  # the box itself is never sent
    # ...inside the bulk form, whose rows' boxes are named "share"
    bulk = html[html.index('id="bulk-form"') : html.index("</form>", html.index('id="bulk-form"'))]
    assert "data-select-all" in bulk
    for share in shares:
        assert f'name="share" value="{share.pk}" form="bulk-form"' in html
    assert re.search(r'<script src="[^"]*js/select-all\.js" defer>', html)


def test_select_all_script_is_served_and_has_no_inline_script(client, alice, hana):
    share_in_review(alice)
    html = client.get(URL).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # only external scripts
    assert not re.search(r"\son[a-z]+=", html[html.index("<main") :])
    from django.contrib.staticfiles import finders

    assert finders.find("js/select-all.js")


def test_each_row_shows_the_official_post_of_its_platform(client, alice, carol, hana):
    budget = make_campaign(
        "Budget day",
        posts=["https://www.facebook.com/agency/posts/1001", "https://x.com/agency/status/2002"],
    )
    on_facebook = share_in_review(alice, campaign=budget, platform=Platform.FACEBOOK)
    on_x = share_in_review(carol, campaign=budget, platform=Platform.X)
    on_tiktok = share_in_review(carol, campaign=budget, platform=Platform.TIKTOK)

    html = client.get(URL).content.decode()

    def row(share) -> str:
        start = html.index(f'<tr id="share-{share.pk}"')
        return html[start : html.index("</tr>", start)]

    link = '<a class="break official-post" href="{}" target="_blank" rel="noopener noreferrer">'
    assert link.format("https://www.facebook.com/agency/posts/1001") in row(on_facebook)
    assert link.format("https://x.com/agency/status/2002") in row(on_x)
    assert "official-post" not in row(on_tiktok)
    assert "The campaign has no official post on TikTok" in row(on_tiktok)


def test_oldest_first_is_said_and_newest_first_may_be_chosen(client, alice, hana):
    old = share_in_review(alice, submitted_at=days_ago(3))
    new = share_in_review(alice, submitted_at=days_ago(1))
    middle = share_in_review(alice, submitted_at=days_ago(2))

    html = client.get(URL).content.decode()
    assert row_ids(html) == [old.pk, middle.pk, new.pk]
    assert "Oldest first: the share that has waited longest is at the top." in html
    assert 'href="/review/?sort=newest">Show the newest first</a>' in html
    assert '<select name="sort"' in html  # also in the filters

    html = client.get(URL, {"sort": "newest"}).content.decode()
    assert row_ids(html) == [new.pk, middle.pk, old.pk]
    assert "Newest first: the share logged last is at the top." in html
    assert 'href="/review/">Show the oldest first</a>' in html
    assert '<option value="newest" selected>' in html

    assert row_ids(client.get(URL, {"sort": "oldest"}).content.decode()) == [
        old.pk,
        middle.pk,
        new.pk,
    ]


def test_the_order_is_kept_with_the_filters_and_across_pages(client, alice, hana, monkeypatch):
    from verification import views

    monkeypatch.setattr(views, "SHARES_PER_PAGE", 2)
    shares = [share_in_review(alice, submitted_at=days_ago(10 - n)) for n in range(3)]
    html = client.get(URL, {"platform": "facebook", "sort": "newest"}).content.decode()
    assert row_ids(html) == [shares[2].pk, shares[1].pk]
    assert "?platform=facebook&amp;sort=newest&amp;page=2" in html
    assert 'href="/review/?platform=facebook">Show the oldest first</a>' in html


def test_an_unknown_order_is_a_400_that_says_why(client, alice, hana):
    share_in_review(alice)
    response = client.get(URL, {"sort": "<b>random</b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "sort may be “oldest” or “newest”" in html
    assert "&lt;b&gt;random&lt;/b&gt;" in html and "<b>random</b>" not in html


def queries_for_the_page(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review:review_queue"), params)
    assert response.status_code == 200
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(client, alice, carol, hana):
    def add_shares(n: int) -> None:
        for i in range(n):
            campaign = make_campaign(
                f"Campaign {i}",
                posts=[
                    f"https://www.facebook.com/agency/posts/{9000 + i}",
                    f"https://x.com/agency/status/{9000 + i}",
                ],
            )
            platform = [Platform.FACEBOOK, Platform.X, Platform.TIKTOK][i % 3]
            share_in_review([alice, carol][i % 2], campaign=campaign, platform=platform)

    add_shares(2)
    few = queries_for_the_page(client)
    add_shares(10)
    many = queries_for_the_page(client)
    assert len(row_ids(client.get(URL).content.decode())) == 12
    assert many == few
    assert queries_for_the_page(client, sort="newest", platform="x") == few
