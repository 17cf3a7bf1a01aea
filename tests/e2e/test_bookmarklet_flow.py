"""The bookmarklet in a real browser: from a social post to My shares.

Chromium opens a stand-in for the person's own Facebook post (answered
locally by request interception: the address is facebook.com, the bytes come
from this test), clicks the bookmarklet taken from /bookmarklet/, and the
prefilled form opens in a pop-up. Only pressing Submit logs the share.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from campaigns.models import Share
from tests.factories import UserFactory, make_campaign, make_share

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The person's own post as typed into the address bar: tracking parameters,
# a %-escape, non-ASCII and a fragment, all of which must reach the form whole.
SOCIAL_PAGE = (
    "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmno"
    "?__cft__[0]=x&ref=share&q=caf%C3%A9&n=中文&pct=100%25#c"
)
# ... and as the browser reports it in location.href (non-ASCII %-encoded, UTF-8).
SOCIAL_PAGE_HREF = (
    "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmno"
    "?__cft__[0]=x&ref=share&q=caf%C3%A9&n=%E4%B8%AD%E6%96%87&pct=100%25#c"
)
SOCIAL_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>Alice's post</title></head>
<body><h1>Alice Tan shared a post</h1><p>Budget day is here.</p></body></html>"""


def test_bookmarklet_logs_the_post_the_person_is_on(offline_context, live_server, log_in):
    context, web = offline_context
    alice = UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")
    campaign = make_campaign()
    make_campaign("Older campaign").posts.update(platform="x")  # not the default for Facebook
    web.serve(SOCIAL_PAGE_HREF, SOCIAL_HTML)

    page = context.new_page()
    log_in(page, "alice")
    page.goto(f"{live_server.url}/bookmarklet/")
    href = page.get_attribute("#bookmarklet", "href")
    assert href.startswith("javascript:")
    assert f"'{live_server.url}/shares/new/?source=bookmarklet&url='" in href
    assert "encodeURIComponent(location.href)" in href

    page.goto(SOCIAL_PAGE)
    assert page.evaluate("location.href") == SOCIAL_PAGE_HREF
    # The bookmark's address, clicked on the post's page as the bookmarks bar would.
    page.evaluate(
        """href => {
            const link = document.createElement("a");
            link.id = "sharekpi-bookmarklet";
            link.href = href;
            link.textContent = "Log share in ShareKPI";
            document.body.appendChild(link);
        }""",
        href,
    )
    with page.expect_popup() as popup_info:
        page.click("#sharekpi-bookmarklet")
    popup = popup_info.value
    popup.wait_for_load_state()

    assert popup.url.startswith(f"{live_server.url}/shares/new/?source=bookmarklet&url=")
    assert popup.input_value("input[name=url]") == SOCIAL_PAGE_HREF
    assert popup.input_value("input[name=source]") == "bookmarklet"
    assert popup.input_value("select[name=campaign]") == str(campaign.pk)
    assert not Share.objects.exists(), "nothing is logged before Submit"

    popup.click("button:has-text('Submit')")
    popup.wait_for_url(f"{live_server.url}/shares/")
    assert "Share logged — we are checking it." in popup.inner_text(".messages")

    share = Share.objects.get()
    assert (share.staff_id, share.campaign_id, share.source) == (
        alice.pk,
        campaign.pk,
        "bookmarklet",
    )
    assert share.url == SOCIAL_PAGE_HREF
    assert share.normalized_url == (
        "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmno"
    )
    row = popup.locator(f"#share-{share.pk}")
    assert row.is_visible()
    assert "Budget day" in row.inner_text()
    assert not [url for url in web.blocked if not url.endswith("/favicon.ico")]


PHONE = {"width": 375, "height": 812}
FORM_FROM_BOOKMARKLET = "/shares/new/?source=bookmarklet&url=" + SOCIAL_PAGE_HREF.replace(
    "%", "%25"
).replace("&", "%26").replace("#", "%23")


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", FORM_FROM_BOOKMARKLET),
        ("alice", "/shares/"),
        ("alice", "/campaigns/"),
        ("alice", "/bookmarklet/"),
        ("hana", "/campaigns/"),
        ("hana", "/campaigns/new/"),
        ("hana", "/campaigns/{pk}/"),
        ("hana", "/campaigns/{pk}/edit/"),
    ],
)
def test_pages_fit_a_phone_screen(browser, live_server, e2e_settings, log_in, tmp_path, who, path):
    alice = UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms/Digital Media")
    UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role="hr_admin")
    UserFactory(
        staff_id="S000123456",
        full_name="Nur Aisyah binti Abdul Rahman Al-Haddad",
        email="nur.aisyah.abdulrahman.alhaddad@communications.example.gov.my",
        unit="HQ/Comms/Digital Media/Social Media Monitoring",
    )
    campaign = make_campaign(
        "A campaign with a rather long title that needs to wrap on a phone",
        posts=("https://www.facebook.com/govmy/posts/1001", "https://x.com/govmy/status/1001"),
    )
    make_share(
        alice,
        campaign,
        SOCIAL_PAGE_HREF,
        normalized_url=(
            "https://www.facebook.com/alice.tan/posts/pfbid02abcDEFghiJKLmnoPQRstuVWXyz0123456789"
        ),
        status="rejected",
        status_reason="The post could not be found; it may be private or deleted.",
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    blocked = []

    def only_live_server(route):
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", only_live_server)
    try:
        page = context.new_page()
        log_in(page, who)
        response = page.goto(f"{live_server.url}{path.format(pk=campaign.pk)}")
        assert response.status == 200
        shots = Path(os.environ.get("SHAREKPI_SCREENSHOT_DIR") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        name = path.split("?")[0].strip("/").replace("/", "-").replace("{pk}", "id")
        page.screenshot(path=str(shots / f"phone-{who}-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert blocked == []
    finally:
        context.close()
