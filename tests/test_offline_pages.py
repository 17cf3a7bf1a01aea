"""Every page works with no internet and under the Content-Security-Policy: walking
every GET route as every role that may open it (the browsable API and the API docs
included), no page loads anything from another host (src, srcset, poster, <link
href>) and none has inline script or style (a <script> without src, <style>, a
style= or on…= attribute, a javascript: URL other than the bookmarklet's).

Plain links (<a href>) to other hosts are allowed: the official posts people are
asked to share live on the platforms; following a link is the person's choice,
not a request the page makes."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.test_access import ACCESS, ANON, HR, route_names, world  # noqa: F401  (fixture)

LOADING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background"}
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}


class PageProblems(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_without_src = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            value = value or ""
            if name in LOADING_ATTRIBUTES or (tag == "link" and name == "href"):
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0]
                    if url and not is_own(url):
                        self.problems.append(f"<{tag} {name}={value!r}> loads another host")
            if name == "style":
                self.problems.append(f"<{tag} style={value!r}>: inline style")
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>: inline event handler")
            if (
                name == "href"
                and value.strip().lower().startswith("javascript:")
                and "data-drag-only" not in attributes  # the bookmarklet, dragged not clicked
            ):
                self.problems.append(f"<{tag} href=javascript:…>: inline script")
        if tag == "style":
            self.problems.append("<style>: inline style")
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            self._script_without_src = not attributes.get("src") and kind not in DATA_BLOCK_TYPES

    def handle_data(self, data):
        if self._script_without_src and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script_without_src = False


def is_own(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    return not parts.netloc and parts.scheme in ("", "http", "https")


def problems_of(html: str) -> list[str]:
    parser = PageProblems()
    parser.feed(html)
    return parser.problems


def test_the_checker_finds_what_it_should():
    assert problems_of('<script src="https://cdn.example.com/x.js"></script>')
    assert problems_of('<link rel="stylesheet" href="//cdn.example.com/x.css">')
    assert problems_of("<script>alert(1)</script>")
    assert problems_of('<p style="color:red">x</p>')
    assert problems_of('<button onclick="x()">x</button>')
    assert problems_of('<img srcset="/a.png 1x, https://x.example/b.png 2x">')
    assert not problems_of('<script src="/static/js/confirm.js"></script><a href="https://x.com/">')
    assert not problems_of('<script type="application/json" id="x">{"a": 1}</script>')


def _get_routes():
    for name in sorted(set(route_names())):
        if ACCESS[name][0] == "get":
            yield name


@pytest.mark.parametrize("name", list(_get_routes()))
def test_no_page_loads_another_host_or_has_inline_script_or_style(name, world, client):  # noqa: F811
    _method, kwargs_of, allowed = ACCESS[name]
    url = reverse(name, kwargs=kwargs_of(world) if kwargs_of else None)
    accepts = ["text/html", "*/*"] if name.startswith("api:") else ["*/*"]
    for role in sorted(allowed):
        client.logout()
        if role != ANON:
            client.force_login(world["people"][role])
        for accept in accepts:
            response = client.get(url, headers={"accept": accept})
            if getattr(response, "streaming", False):
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            found = problems_of(response.content.decode("utf-8", "replace"))
            assert not found, (role, url, accept, found)


ADMIN_PAGES = [
    "admin:index",
    "admin:accounts_user_changelist",
    "admin:accounts_user_add",
    "admin:campaigns_campaign_changelist",
    "admin:campaigns_campaign_add",
]


ADMIN_CHANGE_PAGES = {
    "admin:accounts_user_change": lambda w: w["people"][HR].pk,
    "admin:campaigns_campaign_change": lambda w: w["campaign"].pk,
    "admin:campaigns_share_change": lambda w: w["share"].pk,
}


@pytest.mark.parametrize("name", ADMIN_PAGES + list(ADMIN_CHANGE_PAGES))
def test_admin_pages_load_nothing_from_another_host(name, world, client):  # noqa: F811
    client.force_login(world["people"][HR])
    pk_of = ADMIN_CHANGE_PAGES.get(name)
    response = client.get(reverse(name, args=[pk_of(world)] if pk_of else None))
    assert response.status_code == 200
    found = problems_of(response.content.decode())
    assert not found, found
