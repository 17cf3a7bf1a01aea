"""The Django admin in plain words: models are named as people say them, the
derived and internal tables only show (or are not there), and review decisions
show the reviewer's reason."""

import pytest
from django.contrib import admin
from django.urls import reverse

from campaigns.models import ShareStatus
from dashboard.models import CampaignStaffTally, ShareCountChange
from health.models import WorkerHeartbeat
from tests.factories import UserFactory, make_campaign, make_share
from verification.models import ReviewDecision

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = UserFactory(staff_id="root", is_superuser=True, unit="HQ")
    client.force_login(user)
    return user


def test_the_admin_index_names_things_in_plain_words(client, root):
    html = client.get(reverse("admin:index")).content.decode()
    for label in ("Platform policies", "KPI scores", "KPI year closes", "Scoring scheme changes"):
        assert label in html, label
    for clumsy in ("Platform policys", "Kpi scores", "Share week stats", "Campaign staff stats"):
        assert clumsy not in html, clumsy


def test_internal_tables_are_read_only_or_hidden(rf, root):
    request = rf.get("/admin/")
    request.user = root
    dashboard = [m for m in admin.site._registry if m._meta.app_label == "dashboard"]
    for model in [WorkerHeartbeat, *dashboard]:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    for internal in (ShareCountChange, CampaignStaffTally):
        assert internal not in admin.site._registry


def test_review_decisions_show_the_reason(client, root):
    staff = UserFactory(staff_id="s1", unit="HQ")
    share = make_share(
        staff, make_campaign("Budget"), "https://www.facebook.com/s1/posts/1",
        status=ShareStatus.REJECTED,
    )  # fmt: skip
    ReviewDecision.objects.create(
        share=share,
        reviewer=root,
        decision="reject",
        reason="The post is about another campaign.",
        old_status=ShareStatus.NEEDS_REVIEW,
        new_status=ShareStatus.REJECTED,
    )
    html = client.get(reverse("admin:verification_reviewdecision_changelist")).content.decode()
    assert "The post is about another campaign." in html
