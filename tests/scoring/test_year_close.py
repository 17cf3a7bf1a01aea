"""Closing a year freezes its scores; only a superuser can re-open it."""

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from campaigns.models import ShareStatus
from scoring import services
from scoring.bands import Band
from scoring.models import KpiScore, YearClose

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date


def frozen_row(user, year=2024):
    row = KpiScore.objects.get(user=user, year=year)
    return (row.verified_shares, row.points, row.scheme_version, row.computed_at)


@pytest.fixture
def closed_2024(org):
    campaign = make_campaign(D(2024, 6, 1), D(2024, 6, 30))
    make_share(org["alice"], campaign, local(2024, 6, 5))
    services.close_year(year=2024, actor=org["hana"])
    return campaign


def test_closing_records_who_and_freezes_everyones_row(org, closed_2024):
    close = YearClose.objects.get(year=2024)
    assert close.closed_by == org["hana"] and close.reopened_at is None
    assert frozen_row(org["alice"])[:3] == (1, 1, 1)
    assert frozen_row(org["dana"])[:3] == (0, 0, 1)


def test_later_verifications_do_not_change_a_closed_year(org, closed_2024):
    before = frozen_row(org["alice"])
    make_share(org["alice"], closed_2024, local(2024, 6, 6), platform="x")
    other = make_campaign(D(2024, 7, 1), D(2024, 7, 2))
    pending = make_share(org["alice"], other, local(2024, 7, 1), status=ShareStatus.NEEDS_REVIEW)
    from .conftest import set_status

    set_status(pending, ShareStatus.VERIFIED)  # an HR review approving it
    assert frozen_row(org["alice"]) == before


def test_scheme_edits_are_refused_for_a_closed_year(org, closed_2024):
    with pytest.raises(services.YearClosed, match="2024 was closed by Hana Aziz"):
        services.update_scheme(
            year=2024, bands=[Band(0, 0, 0), Band(1, None, 5)], actor=org["hana"]
        )
    assert frozen_row(org["alice"])[:3] == (1, 1, 1)


def test_compute_scores_refuses_a_closed_year(org, closed_2024):
    with pytest.raises(CommandError, match="closed"):
        call_command("compute_scores", "--year", "2024")


def test_compute_scores_command_recomputes_an_open_year(org, capsys):
    campaign = make_campaign(D(2025, 6, 1), D(2025, 6, 30))
    make_share(org["alice"], campaign, local(2025, 6, 5))
    KpiScore.objects.all().delete()
    call_command("compute_scores", "--year", "2025")
    assert KpiScore.objects.get(user=org["alice"], year=2025).points == 1
    assert KpiScore.objects.filter(year=2025).count() == 7
    assert "scores computed for 7 people" in capsys.readouterr().out


def test_a_year_cannot_be_closed_before_it_ends(org):
    with (
        time_machine.travel(local(2025, 12, 31, 23, 0)),
        pytest.raises(services.ScoringError, match="runs until 31 Dec 2025"),
    ):
        services.close_year(year=2025, actor=org["hana"])
    with time_machine.travel(local(2026, 1, 1, 0, 1)):
        services.close_year(year=2025, actor=org["hana"])


def test_only_hr_closes_and_only_superusers_reopen(org, closed_2024):
    with pytest.raises(services.NotAllowed):
        services.close_year(year=2023, actor=org["bob"])
    with pytest.raises(services.NotAllowed):
        services.reopen_year(year=2024, actor=org["hana"], reason="typo")


def test_reopening_is_recorded_and_catches_up(org, closed_2024):
    make_share(org["alice"], make_campaign(D(2024, 8, 1), D(2024, 8, 1)), local(2024, 8, 1))
    assert frozen_row(org["alice"])[0] == 1
    services.reopen_year(year=2024, actor=org["root"], reason="Late appeal approved")
    close = YearClose.objects.get(year=2024)
    assert (close.reopened_by, close.reopen_reason) == (org["root"], "Late appeal approved")
    assert frozen_row(org["alice"])[0] == 2
    services.close_year(year=2024, actor=org["hana"])  # closed again: a new row
    assert YearClose.objects.filter(year=2024).count() == 2


def test_year_pages(client, org, closed_2024):
    client.force_login(org["hana"])
    assert client.get(reverse("scoring:year_list")).status_code == 200
    response = client.post(reverse("scoring:year_reopen", args=[2024]), {"reason": "x"})
    assert response.status_code == 403
    client.force_login(org["root"])
    client.post(reverse("scoring:year_reopen", args=[2024]), {"reason": "appeal"})
    assert not YearClose.objects.filter(year=2024, reopened_at=None).exists()
    client.force_login(org["hana"])
    client.post(reverse("scoring:year_close", args=[2024]), {"confirm": "yes"})
    assert YearClose.objects.filter(year=2024, reopened_at=None).exists()


def test_staff_cannot_close_a_year(client, org):
    client.force_login(org["alice"])
    response = client.post(reverse("scoring:year_close", args=[2024]), {"confirm": "yes"})
    assert response.status_code == 403
    assert not YearClose.objects.exists()
