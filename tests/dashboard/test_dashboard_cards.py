"""The dashboard's unit and campaign tables turn into cards on a phone (table.stack):
every number cell is labelled with its column (in the reader's language), and the sort
that lives in the hidden header row is offered above the cards too. The browser check
at 375 px is tests/e2e/test_review_and_dashboard_on_a_phone.py."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from campaigns.models import ShareStatus
from tests.factories import make_share, make_unit

from .conftest import KL, make_campaign

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 16, 10, 0, tzinfo=KL), tick=False):
        yield


@pytest.fixture
def board_html(org, client):
    budget = make_campaign(datetime.date(2025, 6, 1), datetime.date(2025, 6, 30), title="Budget")
    make_share(
        org["alice"],
        budget,
        "https://www.facebook.com/alice/posts/1",
        status=ShareStatus.VERIFIED,
        submitted_at=datetime.datetime(2025, 6, 2, 12, tzinfo=KL),
    )
    client.force_login(org["hana"])

    def board_html(**params) -> str:
        response = client.get(URL, {"year": "2025", **params})
        assert response.status_code == 200
        return response.content.decode()

    return board_html


def table(html: str, css_class: str) -> str:
    start = html.index(css_class)
    return html[start : html.index("</table>", start)]


def test_unit_rows_are_labelled_cards(board_html):
    html = board_html()
    assert '<table class="stack compact unit-table">' in html
    units = table(html, "unit-table")
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", units, re.S)
    assert len(rows) == 3  # Comms, Finance, HQ (directly)
    for row in rows:
        labels = re.findall(r'<td class="num" data-label="([^"]+)"', row)
        assert labels == ["People", "Participating", "Rate", "Verified shares", "Avg points"]


def test_with_a_campaign_the_unit_cards_say_audience(board_html, org):
    hq = make_unit("HQ")
    from campaigns.models import Campaign

    budget = Campaign.objects.get(title="Budget")
    units = table(board_html(unit=hq.pk, campaign=budget.pk), "unit-table")
    labels = re.findall(r'data-label="([^"]+)"', units)
    assert labels[:4] == ["Audience", "Participating", "Rate", "Verified shares"]
    assert "Avg points" not in labels


def test_campaign_rows_are_labelled_cards(board_html):
    html = board_html()
    campaigns = table(html, "campaign-table")
    assert '<table class="stack campaign-table">' in html
    for label in ("Audience", "Shared", "Verified", "Per platform (logged · verified)"):
        assert f'data-label="{label}"' in campaigns


def test_the_sort_is_offered_above_the_cards(board_html):
    html = board_html(sort="-rate")
    nav = re.search(r'<nav class="sort-sm"[^>]*>(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"( aria-current="true")?>([^<]+)', nav)
    assert [label.strip() for _url, _current, label in links] == [
        "Unit",
        "People",
        "Participating",
        "Rate",
        "Verified shares",
        "Avg points",
    ]
    current = [(url, label.strip()) for url, is_current, label in links if is_current]
    assert current == [("/dashboard/?year=2025&amp;sort=rate", "Rate")]  # again: the other way
    assert "(descending)" in nav


def test_card_labels_are_the_header_row_s_column_names(board_html):
    units = table(board_html(), "unit-table")
    headers = re.findall(r'<a class="sort" href="[^"]+">([^<]+)', units)
    labels = re.findall(r'<td class="num" data-label="([^"]+)"', units)
    assert [h.strip() for h in headers[1:]] == labels[:5]
