"""HR's campaign form in a real browser: the audience picker over many units and the
draft/publish step."""

from __future__ import annotations

import pytest

from accounts.models import OrgUnit
from campaigns.models import Campaign, CampaignStatus
from tests.factories import UserFactory, make_unit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_hr_finds_units_by_name_picks_them_with_a_click_and_publishes(
    offline_context, live_server, log_in
):
    context, _web = offline_context
    UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role="hr_admin")
    for n in range(300):
        make_unit(f"HQ/Region {n:03d}/Office")
    wanted = OrgUnit.objects.get(path="HQ/Region 123/Office")
    page = context.new_page()
    log_in(page, "hana")
    page.goto(f"{live_server.url}/campaigns/new/")

    select = page.locator("select[name=units]")
    assert page.inner_text(".unit-chosen") == "No unit chosen: everyone."
    page.fill(".unit-search", "region 123/off")
    visible = select.locator("option:not([hidden])")
    assert visible.count() == 1 and "HQ/Region 123/Office" in visible.inner_text()
    visible.click()
    assert "HQ/Region 123/Office" in page.inner_text(".unit-chosen")
    page.fill(".unit-search", "")
    assert select.locator("option:not([hidden])").count() == OrgUnit.objects.count()

    page.fill("input[name=title]", "Budget day")
    page.fill("textarea[name=post_urls]", "https://www.facebook.com/govmy/posts/1001")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[name=publish]")
    page.wait_for_url(f"{live_server.url}/campaigns/*/")

    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.ACTIVE
    assert list(campaign.units.all()) == [wanted]
    assert "is published" in page.inner_text(".messages")


def test_a_dismissed_publish_question_sends_nothing(offline_context, live_server, log_in):
    context, _web = offline_context
    UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role="hr_admin")
    page = context.new_page()
    log_in(page, "hana")
    page.goto(f"{live_server.url}/campaigns/new/")
    page.fill("input[name=title]", "Budget day")
    page.fill("textarea[name=post_urls]", "https://www.facebook.com/govmy/posts/1001")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button[name=publish]")
    page.wait_for_timeout(300)
    assert not Campaign.objects.exists()

    page.click("button:has-text('Save as draft')")
    page.wait_for_url(f"{live_server.url}/campaigns/*/")
    assert Campaign.objects.get().status == CampaignStatus.DRAFT


@pytest.mark.parametrize("role", ["staff", "manager", "hr_admin"])
def test_the_header_fits_in_two_rows_on_a_phone_with_the_rest_in_a_menu(
    browser, live_server, e2e_settings, log_in, role
):
    UserFactory(staff_id="someone", full_name="Nur Aisyah Abdul Rahman", unit="HQ", role=role)
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        page = context.new_page()
        log_in(page, "someone")
        # Rows of the header: the distinct lines its visible parts sit on.
        rows = page.evaluate(
            """() => {
              const lines = [];
              for (const el of document.querySelectorAll('.topbar > *, .nav > *')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0 || el.matches('.nav')) continue;
                const middle = box.top + box.height / 2;
                if (!lines.some((m) => Math.abs(m - middle) < 12)) lines.push(middle);
              }
              return lines.length;
            }"""
        )
        assert rows <= 2
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.click(".nav-menu summary")
        assert page.locator(".nav-menu-items button:has-text('Log out')").is_visible()
        assert page.locator(".nav-menu-items a:has-text('My data')").is_visible()
    finally:
        context.close()
