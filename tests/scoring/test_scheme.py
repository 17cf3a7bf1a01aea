"""The scoring scheme: read by all, changed by HR, audited, re-scores the year."""

import datetime

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import KpiScore, SchemeChange

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date
DEFAULT = [
    {"min_shares": 0, "max_shares": 0, "points": 0},
    {"min_shares": 1, "max_shares": 5, "points": 1},
    {"min_shares": 6, "max_shares": 15, "points": 2},
    {"min_shares": 16, "max_shares": 30, "points": 3},
    {"min_shares": 31, "max_shares": 49, "points": 4},
    {"min_shares": 50, "max_shares": None, "points": 5},
]
GENEROUS = [
    {"min_shares": 0, "max_shares": 0, "points": 0},
    {"min_shares": 1, "max_shares": 2, "points": 3},
    {"min_shares": 3, "max_shares": None, "points": 5},
]


def url(year=2025):
    return reverse("api:scoring-scheme-detail", args=[year])


def test_anyone_logged_in_reads_the_default_scheme(client, org):
    assert client.get(url()).status_code in (401, 403)
    client.force_login(org["alice"])
    response = client.get(url())
    assert response.status_code == 200
    assert response.json() == {"year": 2025, "version": 1, "closed": False, "bands": DEFAULT}


def test_only_hr_changes_the_scheme(client, org):
    for who in ("alice", "bob"):
        client.force_login(org[who])
        response = client.put(
            url(), {"year": 2025, "bands": GENEROUS}, content_type="application/json"
        )
        assert response.status_code == 403
    assert not SchemeChange.objects.exists()


def test_change_is_audited_bumps_version_and_rescores(client, org):
    make_share(org["alice"], make_campaign(D(2025, 3, 1), D(2025, 3, 2)), local(2025, 3, 1))
    assert KpiScore.objects.get(user=org["alice"], year=2025).points == 1
    client.force_login(org["hana"])
    response = client.put(url(), {"year": 2025, "bands": GENEROUS}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["bands"] == GENEROUS
    change = SchemeChange.objects.get()
    assert change.changed_by == org["hana"] and change.version == 2
    assert change.before == {"year": 2025, "bands": DEFAULT}
    assert change.after == {"year": 2025, "bands": GENEROUS}
    alice = KpiScore.objects.get(user=org["alice"], year=2025)
    assert (alice.points, alice.scheme_version) == (3, 2)
    assert KpiScore.objects.filter(year=2025).count() == 7  # everyone re-scored


def test_saving_the_same_bands_changes_nothing(org):
    services.update_scheme(
        year=2025, bands=services.scheme_for_year(2025).band_values(), actor=org["hana"]
    )
    assert services.scheme_for_year(2025).version == 1
    assert not SchemeChange.objects.exists()


def test_invalid_scheme_gives_every_message(client, org):
    client.force_login(org["hana"])
    bands = [
        {"min_shares": 1, "max_shares": 5, "points": 2},
        {"min_shares": 8, "max_shares": 9, "points": 1},
    ]
    response = client.put(url(), {"bands": bands}, content_type="application/json")
    assert response.status_code == 400
    messages = response.json()["bands"]
    assert len(messages) == 4
    assert any("must start at 0" in m for m in messages)
    assert any("Gap" in m for m in messages)
    assert any("fewer points" in m for m in messages)
    assert any("open-ended" in m for m in messages)
    assert services.scheme_for_year(2025).version == 1


def test_wrong_types_are_a_400(client, org):
    client.force_login(org["hana"])
    response = client.put(url(), {"bands": [{"min_shares": "a"}]}, content_type="application/json")
    assert response.status_code == 400
    response = client.put(
        url(2025), {"year": 2024, "bands": GENEROUS}, content_type="application/json"
    )
    assert response.status_code == 400 and "year" in response.json()


def test_closed_year_is_a_409(client, org):
    services.close_year(year=2024, actor=org["hana"])
    client.force_login(org["hana"])
    response = client.put(url(2024), {"bands": GENEROUS}, content_type="application/json")
    assert response.status_code == 409
    assert "closed" in response.json()["detail"] and "re-open" in response.json()["detail"]
    assert client.get(url(2024)).json()["closed"] is True


def form(rows):
    data = {"min_shares": [], "max_shares": [], "points": []}
    for row in rows:
        data["min_shares"].append(str(row["min_shares"]))
        data["max_shares"].append("" if row["max_shares"] is None else str(row["max_shares"]))
        data["points"].append(str(row["points"]))
    return data


def test_hr_edits_bands_on_the_page(client, org):
    client.force_login(org["hana"])
    page = reverse("scoring:scheme_edit", args=[2025])
    response = client.get(page)
    assert response.status_code == 200 and b"Scoring bands 2025" in response.content
    response = client.post(page, form(GENEROUS))
    assert response.status_code == 302
    assert SchemeChange.objects.get().after["bands"] == GENEROUS
    bad = form([{"min_shares": 0, "max_shares": 3, "points": 0}])
    response = client.post(page, bad)
    assert response.status_code == 400
    assert "The last band must be open-ended" in response.content.decode()


def test_scheme_page_is_hr_only(client, org):
    client.force_login(org["bob"])
    assert client.get(reverse("scoring:scheme_edit", args=[2025])).status_code == 403
    client.logout()
    response = client.get(reverse("scoring:scheme_edit", args=[2025]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
