"""The phone share target: the manifest that installs ShareKPI in the phone's share
sheet, and /shares/new/ finding the post's link in whatever the phone sent."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from PIL import Image

from campaigns.models import Share, ShareSource
from campaigns.share_target import find_shared_link
from tests.factories import UserFactory, make_campaign

pytestmark = pytest.mark.django_db

MY_POST = "https://www.facebook.com/alice/posts/12345"
MY_X_POST = "https://x.com/alice/status/777"


class FormValues(HTMLParser):
    """The values the share form's inputs are prefilled with, and the notice shown."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.selected_campaign = None
        self._in_notice = False
        self.notice = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""
        if tag == "option" and "selected" in attributes:
            self.selected_campaign = attributes.get("value")
        if tag == "p" and attributes.get("id") == "shared-notice":
            self._in_notice = True

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_notice = False

    def handle_data(self, data):
        if self._in_notice:
            self.notice += data


def form_of(response) -> FormValues:
    assert response.status_code == 200
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", unit="HQ")


@pytest.fixture
def alice_client(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def campaign():
    return make_campaign("Road safety week")


# --- the manifest ----------------------------------------------------------------------------


def test_manifest_installs_the_app_and_offers_the_share_target():
    response = Client().get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "ShareKPI"
    assert manifest["short_name"] == "ShareKPI"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#")
    assert manifest["share_target"] == {
        "action": "/shares/new/",
        "method": "GET",
        "params": {"title": "title", "text": "text", "url": "url"},
    }
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_manifest_icons_are_pngs_of_the_sizes_they_claim():
    manifest = json.loads(Client().get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_manifest_follows_the_browser_language():
    manifest = json.loads(Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ms").content)
    assert manifest["lang"] == "ms"


def test_every_page_links_the_manifest_and_a_favicon(alice_client):
    html = alice_client.get("/shares/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert 'rel="icon"' in html


# --- finding the link ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"url": MY_POST},
        {"text": MY_POST},
        {"title": MY_POST},
    ],
    ids=["in-url", "in-text", "in-title"],
)
def test_the_link_is_found_in_each_of_the_three_parameters(alice_client, campaign, params):
    form = form_of(alice_client.get("/shares/new/", params))
    assert form.values["url"] == MY_POST
    # url alone is also what ShareKPI's own links send: those stay "form".
    expected = ShareSource.FORM if list(params) == ["url"] else ShareSource.SHARE_TARGET
    assert form.values["source"] == expected
    assert form.selected_campaign == str(campaign.pk)
    assert form.notice == ""


def test_words_around_the_link_are_left_out(alice_client, campaign):
    form = form_of(
        alice_client.get(
            "/shares/new/",
            {"title": "Alice Tan", "text": f"Tengok hantaran saya! {MY_POST}. #KitaJaga"},
        )
    )
    assert form.values["url"] == MY_POST
    assert form.values["source"] == ShareSource.SHARE_TARGET
    assert form.notice == ""


def test_several_links_give_the_first_platform_post(alice_client, campaign):
    x_campaign = make_campaign("X week", posts=("https://x.com/agency/status/1",))
    text = f"See https://www.example.gov.my/news and my post {MY_X_POST} and {MY_POST}"
    form = form_of(alice_client.get("/shares/new/", {"text": text}))
    assert form.values["url"] == MY_X_POST
    # The campaign follows the link's platform, as for the bookmarklet.
    assert form.selected_campaign == str(x_campaign.pk)


def test_no_link_at_all_says_so_clearly(alice_client, campaign):
    form = form_of(alice_client.get("/shares/new/", {"title": "My post", "text": "Look at this"}))
    assert form.values["url"] == ""
    assert "found no link" in form.notice
    assert form.values["source"] == ShareSource.SHARE_TARGET


def test_a_link_that_is_not_a_platform_post_is_shown_with_the_reason(alice_client, campaign):
    form = form_of(
        alice_client.get("/shares/new/", {"text": "Read https://www.example.com/news/1 now"})
    )
    assert form.values["url"] == "https://www.example.com/news/1"
    assert "cannot be logged" in form.notice


def test_a_phone_share_is_logged_with_its_source(alice_client, campaign):
    form = form_of(alice_client.get("/shares/new/", {"text": f"My post {MY_POST}"}))
    response = alice_client.post(
        "/shares/new/",
        {"campaign": campaign.pk, "url": form.values["url"], "source": form.values["source"]},
    )
    assert response.status_code == 302
    share = Share.objects.get()
    assert share.source == ShareSource.SHARE_TARGET
    assert share.url == MY_POST


def test_the_bookmarklet_and_plain_links_keep_their_source(alice_client, campaign):
    form = form_of(alice_client.get("/shares/new/", {"url": MY_POST, "source": "bookmarklet"}))
    assert form.values["source"] == ShareSource.BOOKMARKLET
    form = form_of(alice_client.get("/shares/new/", {"url": MY_POST, "campaign": campaign.pk}))
    assert form.values["source"] == ShareSource.FORM
    form = form_of(alice_client.get("/shares/new/"))
    assert form.values["source"] == ShareSource.FORM


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"({MY_POST})", MY_POST),
        (f"“{MY_POST}”", MY_POST),
        (f"{MY_POST}!", MY_POST),
        ("www.tiktok.com/@alice/video/7300000000000000001 ya", None),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "https://youtu.be/dQw4w9WgXcQ?si=abc"),
    ],
)
def test_punctuation_around_a_link_is_not_part_of_it(text, expected):
    found = find_shared_link(text=text)
    if expected is None:
        assert found.is_platform_post
        assert found.url.startswith("www.tiktok.com/@alice/video/")
    else:
        assert found.url == expected


# --- the help page ---------------------------------------------------------------------------


def test_the_help_page_explains_android_and_ios(alice_client):
    html = alice_client.get("/bookmarklet/").content.decode()
    assert 'id="android"' in html and "Install app" in html
    assert 'id="ios"' in html and "Shortcuts" in html
    assert "/shares/new/?source=share-target&amp;text=" in html
