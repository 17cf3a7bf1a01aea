"""The nightly job and the demo seeder."""

import datetime
import io

import pytest
import time_machine

from scoring import demo, services, tasks
from scoring.models import KpiScore

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date


def test_nightly_recomputes_this_year_and_last_year_while_open(org):
    make_share(org["alice"], make_campaign(D(2025, 12, 1), D(2025, 12, 31)), local(2025, 12, 30))
    KpiScore.objects.all().delete()
    with time_machine.travel(local(2026, 1, 10)):
        tasks.recompute_kpi_scores()
        assert KpiScore.objects.get(user=org["alice"], year=2025).points == 1
        assert KpiScore.objects.filter(year=2026).count() == 7

        services.close_year(year=2025, actor=org["hana"])
        make_share(org["ali"], make_campaign(D(2025, 12, 1), D(2025, 12, 2)), local(2025, 12, 1))
        tasks.recompute_kpi_scores()
        assert KpiScore.objects.get(user=org["ali"], year=2025).points == 0  # frozen


def test_demo_seed_computes_scores(org):
    out = io.StringIO()
    demo.seed(out)
    assert "KPI scores" in out.getvalue()
    assert KpiScore.objects.count() == 14
