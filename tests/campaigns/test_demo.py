"""The demo has campaigns and decided shares, made once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from campaigns.models import Campaign, CampaignStatus, Share, ShareStatus
from scoring.models import KpiScore
from verification.models import VerificationAttempt

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_demo_has_campaigns_shares_and_scores_and_a_second_run_adds_nothing():
    seed()
    campaigns, shares = Campaign.objects.count(), Share.objects.count()
    assert campaigns == 9
    assert Campaign.objects.filter(status=CampaignStatus.ACTIVE).exists()
    assert shares > 500
    assert VerificationAttempt.objects.count() == shares
    # Nothing is left for the workers: no made-up URL is ever fetched.
    assert not Share.objects.filter(status=ShareStatus.PENDING).exists()
    by_status = dict(Share.objects.values_list("status").annotate(n=Count("pk")))
    assert by_status[ShareStatus.VERIFIED] > shares * 0.7
    assert KpiScore.objects.filter(verified_shares__gt=0).exists()
    # The demo staff member still has something to log today.
    assert (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
        .exclude(shares__staff__staff_id="stf001")
        .exists()
    )

    seed()
    assert (Campaign.objects.count(), Share.objects.count()) == (campaigns, shares)
