"""The per-person KPI statement for the appraisal file."""

import datetime

import pytest
from django.urls import reverse

from .conftest import local, make_campaign, make_share, pdf_pages

pytestmark = pytest.mark.django_db

D = datetime.date


def url(staff_id):
    return reverse("scoring:kpi_statement", args=[staff_id])


@pytest.fixture
def alice_shared(org):
    campaign = make_campaign(D(2025, 5, 1), D(2025, 5, 31), title="Hari Raya greetings")
    make_share(org["alice"], campaign, local(2025, 5, 2), platform="facebook")
    make_share(org["alice"], campaign, local(2025, 5, 3), platform="x")


@pytest.mark.parametrize(("viewer", "status"), [
    ("alice", 200), ("ali", 404), ("bob", 200), ("charlie", 404), ("hana", 200),
])  # fmt: skip
def test_statement_is_scoped(client, org, alice_shared, viewer, status):
    client.force_login(org[viewer])
    assert client.get(url("alice"), {"year": 2025}).status_code == status


def test_statement_lists_counted_campaigns(client, org, alice_shared):
    client.force_login(org["bob"])
    text = client.get(url("alice"), {"year": 2025}).content.decode()
    for shown in (
        "Agensi Contoh Malaysia",
        "Alice Tan",
        "HQ/Comms/Digital",
        "Hari Raya greetings",
        "Facebook, X (Twitter)",  # the platforms spelled as they spell themselves
    ):
        assert shown in text
    assert "Provisional" in text


def test_statement_pdf(client, org, alice_shared):
    client.force_login(org["alice"])
    response = client.get(url("alice"), {"year": 2025, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert pdf_pages(response.content) == 1
