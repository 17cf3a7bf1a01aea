"""The Content-Security-Policy in a real browser: the main pages of each role (and
the API docs, and the admin) open in Chromium with no CSP violation, no request to
another host, and their scripts working (Swagger UI renders from our own files)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Role
from tests.factories import UserFactory, make_campaign, make_share

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Playwright's init scripts run outside the page's CSP: they only listen.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + (e.lineNumber || ""));
});
"""

STAFF_PAGES = [
    "home",
    "campaigns:campaign_list",
    "campaigns:share_create",
    "campaigns:my_shares",
    "campaigns:bookmarklet",
    "scoring:my_kpi",
    "me:my_accounts",
    "appeals:appeal_list",
    "my_data",
]
HR_PAGES = [
    "home",
    "campaigns:campaign_list",
    "campaigns:campaign_create",
    "review:review_queue",
    "review:policy_list",
    "dashboard:dashboard",
    "scoring:kpi_report",
    "scoring:scheme_current",
    "scoring:year_list",
    "accounts:staff_import",
    "audit:audit_log",
    "admin:index",
    "admin:accounts_user_changelist",
]


def visit(page, url: str) -> list[str]:
    messages: list[str] = []
    page.on(
        "console",
        lambda m: messages.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return messages + page.evaluate("window.__csp || []")


@pytest.mark.parametrize(
    ("staff_id", "role", "names"),
    [("alice", Role.STAFF, STAFF_PAGES), ("hana", Role.HR_ADMIN, HR_PAGES)],
)
def test_main_pages_break_no_rule_of_the_policy(
    offline_context, live_server, log_in, staff_id, role, names
):
    context, web = offline_context
    context.add_init_script(LISTEN)
    person = UserFactory(staff_id=staff_id, role=role, unit="HQ/Comms")
    campaign = make_campaign()
    make_share(person, campaign, f"https://www.facebook.com/{staff_id}/posts/1")
    page = context.new_page()
    log_in(page, staff_id)
    problems = {}
    for name in names:
        found = visit(page, live_server.url + reverse(name))
        if found:
            problems[name] = found
    assert not problems, problems
    assert not web.blocked, f"requests to other hosts: {web.blocked}"
    # The year chooser still sends its form without an inline onchange.
    page.goto(live_server.url + reverse("scoring:my_kpi"))
    if page.locator("select#year option").count() > 1:
        with page.expect_navigation():
            page.select_option("select#year", index=1)
        assert "year=" in page.url


def test_api_docs_render_offline_under_the_policy(offline_context, live_server):
    context, web = offline_context
    context.add_init_script(LISTEN)
    page = context.new_page()
    found = visit(page, live_server.url + reverse("api:docs"))
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "ShareKPI API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 5  # the operations, from /api/v1/schema/
    assert not found, found
    assert not web.blocked, f"requests to other hosts: {web.blocked}"
