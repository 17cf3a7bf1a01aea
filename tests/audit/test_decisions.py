"""Every decision and setting change that exists today writes one audit entry, in its
own transaction, through the services the pages and the API call; the chain verifies
after a realistic mix of them (SQLite here, PostgreSQL in CI)."""

from __future__ import annotations

import hashlib

import pytest
from django.db import transaction
from django.utils import timezone

import audit
from accounts import imports
from accounts.models import Role
from audit.models import AuditEntry
from campaigns import services as campaign_services
from campaigns.models import ShareStatus
from dashboard import stats
from scoring import selectors as scoring_selectors
from scoring import services as scoring_services
from scoring.bands import Band
from scoring.models import ScoringScheme
from tests.factories import UserFactory, days_from_today, make_campaign, make_share, make_unit
from verification import policies, review
from verification.models import PlatformPolicy

from .conftest import run_verify_audit

STAFF_CSV = (
    "staff_id,full_name,email,unit,manager_staff_id,role,active\n"
    "S100,Siti Aminah,siti@example.gov.my,Headquarters/Communications,,staff,yes\n"
    "S101,Raj Kumar,raj@example.gov.my,Headquarters/Finance,,staff,yes\n"
)
BANDS = [Band(0, 0, 0), Band(1, 3, 1), Band(4, 10, 2), Band(11, None, 3)]


@pytest.fixture
def superuser(db):
    return UserFactory(staff_id="root", role=Role.HR_ADMIN, is_superuser=True)


def entries() -> list[tuple[str, str, str, str]]:
    return list(
        AuditEntry.objects.order_by("seq").values_list(
            "action", "actor_label", "object_type", "object_id"
        )
    )


def test_every_decision_writes_one_entry_and_the_chain_holds(hana, alice, superuser):
    make_unit("Headquarters")
    in_review = [
        make_share(alice, make_campaign(f"C{n}"), f"https://x.com/alice/status/{n}")
        for n in range(3)
    ]
    for share in in_review:
        share.status = ShareStatus.NEEDS_REVIEW
        share.save(update_fields=["status"])
    values = campaign_services.CampaignInput(
        title="Flood relief",
        description="",
        starts_on=days_from_today(0),
        ends_on=days_from_today(14),
        post_urls=["https://www.facebook.com/agency/posts/777"],
        units=[],
    )
    campaign = campaign_services.save_campaign(actor=hana, values=values)
    values.title = "Flood relief: where to get help"
    campaign_services.save_campaign(actor=hana, values=values, campaign=campaign)
    campaign_services.save_campaign(actor=hana, values=values, campaign=campaign)  # no change
    campaign_services.close_campaign(campaign=campaign, actor=hana)
    review.decide(share=in_review[0], reviewer=hana, decision="approve")
    review.bulk_decide(
        share_ids=[in_review[1].pk, in_review[2].pk, in_review[0].pk],
        reviewer=hana,
        decision="reject",
        reason="not a share of the official post",
    )
    policies.set_policy(platform="facebook", policy="review", sample_percent=10, actor=hana)
    policies.set_policy(platform="facebook", policy="review", sample_percent=10, actor=hana)
    year = scoring_selectors.current_kpi_year()
    scoring_services.update_scheme(year=year, bands=BANDS, actor=hana)
    scoring_services.compute_year(year=year, actor=hana)
    scoring_services.compute_year(year=year)  # the nightly run: not a decision
    scoring_services.close_year(year=year - 1, actor=hana)
    scoring_services.reopen_year(year=year - 1, actor=superuser, reason="late appeals")
    plan = imports.plan_import(content=STAFF_CSV, actor=hana)
    imports.apply_import(plan=plan, actor=hana)
    imports.apply_import(plan=imports.plan_import(content=STAFF_CSV, actor=hana), actor=hana)
    stats.set_leaderboard(enabled=True, actor=hana)

    shares = [str(share.pk) for share in in_review]
    assert entries() == [
        ("campaign.created", "hana", "campaigns.campaign", str(campaign.pk)),
        ("campaign.edited", "hana", "campaigns.campaign", str(campaign.pk)),
        ("campaign.closed", "hana", "campaigns.campaign", str(campaign.pk)),
        ("review.decided", "hana", "campaigns.share", shares[0]),
        ("review.decided", "hana", "campaigns.share", shares[1]),
        ("review.decided", "hana", "campaigns.share", shares[2]),
        ("policy.changed", "hana", "verification.platformpolicy", _policy_id("facebook")),
        ("scheme.edited", "hana", "scoring.scoringscheme", _scheme_id(year)),
        ("year.recomputed", "hana", "scoring.kpiyear", str(year)),
        ("year.closed", "hana", "scoring.kpiyear", str(year - 1)),
        ("year.reopened", "root", "scoring.kpiyear", str(year - 1)),
        ("staff.imported", "hana", "accounts.staffimport", _file_hash()),
        ("leaderboard.switched", "hana", "dashboard.dashboardsettings", "1"),
    ]
    edited = AuditEntry.objects.get(action="campaign.edited")
    assert edited.before["title"] == "Flood relief"
    assert edited.after["title"] == "Flood relief: where to get help"
    rejected = AuditEntry.objects.filter(action="review.decided").order_by("seq")[1]
    assert rejected.before == {"status": "needs_review"}
    assert rejected.after == {
        "status": "rejected",
        "decision": "reject",
        "reason": "not a share of the official post",
    }
    imported = AuditEntry.objects.get(action="staff.imported")
    assert imported.after["counts"]["create"] == 2
    assert imported.after["file_sha256"] == _file_hash()
    assert audit.verify_chain().ok
    code, printed = run_verify_audit()
    assert code == 0
    assert "13" in printed


def _scheme_id(year: int) -> str:
    return str(ScoringScheme.objects.get(year=year).pk)


def _policy_id(platform: str) -> str:
    return str(PlatformPolicy.objects.get(platform=platform).pk)


def _file_hash() -> str:
    return hashlib.sha256(STAFF_CSV.encode("utf-8")).hexdigest()


def test_a_refused_decision_writes_nothing(hana, alice):
    share = make_share(alice, make_campaign(), "https://x.com/alice/status/9")  # pending
    share.status = ShareStatus.VERIFIED
    share.save(update_fields=["status"])

    with pytest.raises(review.ReviewRefused):
        review.decide(share=share, reviewer=hana, decision="reject", reason="no")
    with pytest.raises(scoring_services.ScoringError):
        scoring_services.close_year(year=scoring_selectors.current_kpi_year(), actor=hana)

    assert AuditEntry.objects.count() == 0


def test_a_decision_rolled_back_later_in_its_transaction_leaves_no_entry(hana):
    with pytest.raises(RuntimeError), transaction.atomic():
        stats.set_leaderboard(enabled=True, actor=hana)
        raise RuntimeError("the request failed after the decision")

    assert AuditEntry.objects.count() == 0
    assert audit.verify_chain().ok


def test_hr_recompute_on_the_page_is_audited_with_who_asked(client, hana):
    client.force_login(hana)
    year = scoring_selectors.current_kpi_year()

    response = client.post(f"/scoring/years/{year}/recompute/")

    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor_id, entry.object_id) == (
        "year.recomputed",
        hana.pk,
        str(year),
    )
    assert entry.at <= timezone.now()


def test_a_policy_changed_in_the_admin_is_audited_once(client, superuser):
    client.force_login(superuser)

    response = client.post(
        "/admin/verification/platformpolicy/add/",
        {"platform": "tiktok", "policy": "sample", "sample_percent": "25"},
    )

    assert response.status_code == 302, response.content[:2000]
    entry = AuditEntry.objects.get()
    assert entry.action == "policy.changed"
    assert entry.after == {"policy": "sample", "sample_percent": 25, "default": False}
    assert policies.policy_for("tiktok").sample_percent == 25
