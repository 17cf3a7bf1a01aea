"""No reflected input in HTML, and no 5xx for odd input: every route, every role that
may open it, every known query parameter set to a script payload (and to a Unicode
digit), one at a time. The payload may come back escaped, never as markup."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_access import ACCESS, ANON, route_names, world  # noqa: F401  (fixture)

PAYLOAD = "<script>alert(1)</script>"
ODD_VALUES = [PAYLOAD, "²", "1\x00"]
PARAMS = [
    "year",
    "unit",
    "campaign",
    "status",
    "staff_id",
    "q",
    "format",
    "page",
    "kind",
    "platform",
    "action",
    "actor",
    "object_type",
    "object_id",
    "since",
    "until",
    "url",
    "text",
    "title",
    "next",
    "under",
    "sort",
    "order",
    "source",
    "leaderboard",
    "decision",
    "reason",
]


def _get_routes():
    for name in sorted(set(route_names())):
        if ACCESS[name][0] == "get":
            yield name


@pytest.mark.parametrize("name", list(_get_routes()))
def test_no_route_reflects_a_script_or_fails_on_odd_input(name, world, client):  # noqa: F811
    _method, kwargs_of, allowed = ACCESS[name]
    url = reverse(name, kwargs=kwargs_of(world) if kwargs_of else None)
    roles = [r for r in allowed if r != ANON] or [ANON]
    for role in sorted(roles):
        client.logout()
        if role != ANON:
            client.force_login(world["people"][role])
        for param in PARAMS:
            for value in ODD_VALUES:
                response = client.get(url, {param: value})
                where = (role, url, param, value, response.status_code)
                if name != "healthz":  # 503 without a worker is its answer
                    assert response.status_code < 500, where
                html = response.get("Content-Type", "").startswith("text/html")
                if getattr(response, "streaming", False) or not html:
                    continue  # JSON, CSV and text/plain are not markup
                assert PAYLOAD not in response.content.decode("utf-8", "replace"), where


def test_year_error_page_escapes_the_input(world, client):  # noqa: F811
    client.force_login(world["people"]["hr"])
    for url in ("/kpi/", "/reports/kpi/", "/dashboard/", "/dashboard/missing.csv"):
        for param in ("year", "campaign"):
            response = client.get(url, {param: PAYLOAD})
            if response.status_code != 400:
                continue
            assert response["Content-Type"].startswith("text/html")
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
            assert PAYLOAD not in response.content.decode()
