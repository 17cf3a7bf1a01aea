"""HR's review queue and the dashboard in a real browser at 375 px: no sideways scroll
(the tables turn into cards), and "select all on this page" ticks every row's box."""

from __future__ import annotations

import pytest

from accounts.models import Platform
from campaigns.models import ShareStatus
from tests.factories import UserFactory, make_campaign, make_share, make_unit
from verification.models import VerificationAttempt, VerificationOutcome

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}

# The page's width, and any element (other than a scroller's contents) wider than it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('main *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) wide.push(el.tagName + '.' + el.className);
  }
  return {scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10)};
}"""

# Tables that scroll sideways inside their wrapper.
SCROLLING_TABLES = """() => Array.from(document.querySelectorAll('.table-wrap'))
  .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
  .map(wrap => (wrap.querySelector('caption') || wrap).textContent.trim().slice(0, 60))"""


@pytest.fixture
def phone(browser, live_server, e2e_settings, log_in):
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(live_server.url + "/")
            else route.abort("blockedbyclient")
        ),
    )
    try:
        page = context.new_page()
        yield page
    finally:
        context.close()


def shares_waiting(count: int) -> None:
    campaign = make_campaign(
        "A campaign with a rather long title about the national budget day",
        posts=[
            "https://www.facebook.com/agency/posts/1001",
            "https://x.com/agency/status/2002",
        ],
    )
    for n in range(count):
        staff = UserFactory(
            staff_id=f"S{n:04d}",
            full_name=f"Nur Aisyah binti Abdul Rahman {n}",
            unit="HQ/Corporate Communications Division/Digital Media and Outreach Unit",
        )
        platform = [Platform.FACEBOOK, Platform.X][n % 2]
        url = {
            Platform.FACEBOOK: f"https://www.facebook.com/a.long.profile.name.{n}/posts/{5000 + n}",
            Platform.X: f"https://x.com/someone_long_handle/status/17{n:016d}",
        }[platform]
        share = make_share(
            staff,
            campaign,
            url,
            status=ShareStatus.NEEDS_REVIEW,
            status_reason="the page shows a login wall",
        )
        VerificationAttempt.objects.create(
            share=share,
            outcome=VerificationOutcome.NEEDS_REVIEW,
            reason="https://www.facebook.com/login/?next=https%3A%2F%2Fwww.facebook.com%2Fsomething",
            http_status=200,
        )


def test_review_queue_fits_a_phone_and_select_all_ticks_every_row(phone, live_server, log_in):
    UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role="hr_admin")
    shares_waiting(6)
    log_in(phone, "hana")
    phone.goto(f"{live_server.url}/review/")

    result = phone.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= 375, result["wide"]
    assert phone.evaluate(SCROLLING_TABLES) == []

    boxes = phone.locator("input[type=checkbox][name=share]")
    assert boxes.count() == 6
    select_all = phone.get_by_label("Select all on this page")
    assert select_all.is_visible()
    select_all.check()
    assert all(boxes.nth(i).is_checked() for i in range(6))

    boxes.nth(2).uncheck()  # one cleared by hand: the box says "some"
    assert phone.evaluate("document.querySelector('[data-select-all]').indeterminate")
    select_all.check()
    assert all(boxes.nth(i).is_checked() for i in range(6))
    select_all.uncheck()
    assert not any(boxes.nth(i).is_checked() for i in range(6))

    official = phone.locator("a.official-post").first
    assert official.get_attribute("target") == "_blank"


def test_dashboard_fits_a_phone(phone, live_server, log_in):
    UserFactory(staff_id="hana", full_name="Hana Aziz", unit="HQ", role="hr_admin")
    for name in (
        "Corporate Communications Division",
        "Finance and Procurement",
        "Human Resources and Training Directorate",
    ):
        make_unit(f"HQ/{name}/Office")
        person = UserFactory(unit=f"HQ/{name}/Office")
    campaign = make_campaign(
        "A campaign with a rather long title about the national budget day",
        posts=["https://www.facebook.com/agency/posts/1001", "https://x.com/agency/status/2002"],
    )
    for n, url in enumerate(
        ["https://www.facebook.com/someone/posts/5001", "https://x.com/someone/status/5002"]
    ):
        make_share(person, campaign, url, status=[ShareStatus.VERIFIED, ShareStatus.PENDING][n])
    log_in(phone, "hana")
    phone.goto(f"{live_server.url}/dashboard/")

    result = phone.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= 375, result["wide"]
    unit_table = phone.locator("table.unit-table")
    assert unit_table.is_visible()
    wrap = phone.evaluate(
        """() => { const w = document.querySelector('table.unit-table').closest('.table-wrap');
                   return [w.scrollWidth, w.clientWidth]; }"""
    )
    assert wrap[0] <= wrap[1], "the unit table scrolls sideways"
    assert phone.evaluate(SCROLLING_TABLES) == []
    assert phone.locator(".sort-sm a").first.is_visible()  # the sort, without the header row
