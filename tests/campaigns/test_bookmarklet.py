"""/bookmarklet/: the page explains the bookmarklet and offers its link.

The link must reach the browser exactly as built: the HTML attribute decodes
back to the script, and the script carries any page address (with &, #, %,
non-ASCII) whole into the prefilled form."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from campaigns import platforms
from campaigns.bookmarklet import bookmarklet_js
from campaigns.models import Campaign, CampaignPost, CampaignStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class LinkFinder(HTMLParser):
    """The decoded href of <a id="bookmarklet">, as a browser would read it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.href = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("id") == "bookmarklet":
            self.href = attributes["href"]


def bookmarklet_href(html: str) -> str:
    finder = LinkFinder()
    finder.feed(html)
    assert finder.href is not None, "no bookmarklet link on the page"
    return finder.href


def expected(origin: str) -> str:
    return (
        "javascript:(function(){window.open('"
        f"{origin}/shares/new/?source=bookmarklet&url='+encodeURIComponent(location.href),"
        "'sharekpi','width=480,height=640');})();"
    )


@pytest.fixture
def alice_client() -> Client:
    client = Client()
    client.force_login(UserFactory(staff_id="alice", unit="HQ"))
    return client


def test_page_explains_the_bookmarklet_in_plain_words(alice_client):
    html = alice_client.get("/bookmarklet/").content.decode()
    assert "bookmarks bar" in html
    assert "your own post" in html.lower() or "your own</strong> post" in html
    assert "Submit" in html
    assert "nothing is sent before you do" in html


def test_page_has_each_section_once_and_a_plain_title(alice_client):
    html = alice_client.get("/bookmarklet/").content.decode()
    title = html[html.index("<title>") : html.index("</title>")]
    assert "<" not in title[len("<title>") :]
    for section in ('id="android"', 'id="ios"', 'id="shortcut-address"'):
        assert html.count(section) == 1, section


def test_link_opens_the_share_form_of_this_site_with_the_page_address(alice_client):
    html = alice_client.get("/bookmarklet/").content.decode()
    href = bookmarklet_href(html)
    assert href == expected("http://testserver")
    assert "encodeURIComponent(location.href)" in href


def test_link_uses_the_origin_the_browser_reached(alice_client, settings):
    settings.ALLOWED_HOSTS = ["kpi.example.gov.my"]
    html = alice_client.get(
        "/bookmarklet/", HTTP_HOST="kpi.example.gov.my:8443", secure=True
    ).content.decode()
    assert bookmarklet_href(html) == expected("https://kpi.example.gov.my:8443")


def test_link_is_escaped_for_html_and_decodes_to_the_script(alice_client):
    html = alice_client.get("/bookmarklet/").content.decode()
    raw = html[html.index('id="bookmarklet"') :]
    raw = raw[raw.index('href="') + 6 :]
    raw = raw[: raw.index('"')]
    # Quotes and ampersands are entities in the HTML source; nothing can end the attribute.
    assert "'" not in raw and "&#x27;" in raw and "&amp;url=" in raw


@pytest.mark.parametrize(
    "origin", ["http://x'y", "javascript:alert(1)", "http://a b", "http://a%27"]
)
def test_script_is_only_built_for_a_plain_origin(origin):
    with pytest.raises(ValueError):
        bookmarklet_js(origin)


def test_page_address_survives_the_round_trip_into_the_form(alice_client):
    """What encodeURIComponent sends is what the form shows: &, #, %, non-ASCII included."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title="Budget day",
        status=CampaignStatus.ACTIVE,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=7),
    )
    official = "https://www.facebook.com/govmy/posts/1001"
    CampaignPost.objects.create(
        campaign=campaign, url=official, normalized_url=official, platform="facebook"
    )
    page = "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKL?x=1&y=%20&q=café中#frag"
    encoded = quote(page, safe="-_.!~*'()")  # what encodeURIComponent gives
    form_url = expected("http://testserver").split("'")[1] + encoded
    html = alice_client.get(form_url.removeprefix("http://testserver")).content.decode()

    class Value(HTMLParser):
        value = None

        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "input" and attributes.get("name") == "url":
                Value.value = attributes["value"]
            if tag == "input" and attributes.get("name") == "source":
                Value.source = attributes["value"]

    Value(convert_charrefs=True).feed(html)
    assert Value.value == page
    assert Value.source == "bookmarklet"
    assert platforms.parse(Value.value).platform == "facebook"


def test_page_needs_a_login():
    response = Client().get("/bookmarklet/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
