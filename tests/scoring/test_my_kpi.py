"""Staff see their own KPI: count, points, band, the way to the next band."""

import datetime

import pytest
from django.urls import reverse

from scoring import services
from scoring.models import KpiScore

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date
ME = reverse("api:score-me")


def verified(user, n):
    for _ in range(n):
        make_share(user, make_campaign(D(2025, 5, 1), D(2025, 5, 31)), local(2025, 5, 2))


def test_my_kpi_page(client, org):
    verified(org["alice"], 3)
    client.force_login(org["alice"])
    response = client.get(reverse("scoring:my_kpi"), {"year": 2025})
    assert response.status_code == 200
    text = response.content.decode()
    assert "My KPI 2025" in text
    assert '<div class="value">3</div><div class="label">more verified shares for 2 points' in text
    assert text.count("Campaign ") >= 3


def test_my_kpi_needs_login(client):
    response = client.get(reverse("scoring:my_kpi"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("count", "points", "to_next", "next_points"),
    [(0, 0, 1, 1), (5, 1, 1, 2), (6, 2, 10, 3), (50, 5, None, None)],
)
def test_api_me(client, org, count, points, to_next, next_points):
    verified(org["alice"], count)
    client.force_login(org["alice"])
    response = client.get(ME, {"year": 2025})
    assert response.status_code == 200
    data = response.json()
    assert data["staff_id"] == "alice" and data["year"] == 2025
    assert (data["verified_shares"], data["points"]) == (count, points)
    assert data["shares_to_next_band"] == to_next
    assert data["next_band_points"] == next_points
    assert data["year_closed"] is False


def test_api_me_for_a_year_without_a_row_counts_on_the_spot(client, org):
    client.force_login(org["ali"])
    data = client.get(ME, {"year": 2023}).json()
    assert data["verified_shares"] == 0 and data["points"] == 0
    assert KpiScore.objects.filter(user=org["ali"], year=2023).exists()


def test_api_me_closed_year_without_a_row(client, org):
    services.close_year(year=2022, actor=org["hana"])
    newcomer = org["ali"]
    KpiScore.objects.filter(user=newcomer, year=2022).delete()
    client.force_login(newcomer)
    data = client.get(ME, {"year": 2022}).json()
    assert data["year_closed"] is True and data["points"] == 0
    assert not KpiScore.objects.filter(user=newcomer, year=2022).exists()


def test_api_me_rejects_a_bad_year(client, org):
    client.force_login(org["ali"])
    assert client.get(ME, {"year": "abc"}).status_code == 400
    assert client.get(ME, {"year": "1066"}).status_code == 400


def test_my_kpi_spells_the_platforms_as_they_do(client, org):
    campaign = make_campaign(D(2025, 5, 1), D(2025, 5, 31))
    for platform in ("tiktok", "youtube", "linkedin"):
        make_share(org["alice"], campaign, local(2025, 5, 2), platform=platform)
    client.force_login(org["alice"])
    text = client.get(reverse("scoring:my_kpi"), {"year": 2025}).content.decode()
    assert "TikTok, YouTube, LinkedIn" in text
    assert "tiktok, youtube" not in text
