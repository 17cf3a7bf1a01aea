"""generate_bench_data: a small but realistic dataset that keeps every rule the app keeps."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import OrgUnit, Role, SocialAccount, User
from bench.management.commands import generate_bench_data
from campaigns import platforms, selectors
from campaigns.models import Campaign, CampaignStatus, Share

pytestmark = pytest.mark.django_db

STAFF = 200
SHARES = 2000


def generate(**options) -> None:
    call_command(generate_bench_data.Command(), staff=STAFF, shares=SHARES, seed=7, **options)


@pytest.fixture
def bench_data(require_postgres):
    generate()


def test_counts(bench_data):
    assert User.objects.count() == STAFF
    assert Share.objects.count() == SHARES
    assert User.objects.filter(role=Role.HR_ADMIN).count() == 1
    assert Campaign.objects.filter(status=CampaignStatus.CLOSED).count() == 100
    assert (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE).count()
        == generate_bench_data.OPEN_CAMPAIGNS
    )
    assert SocialAccount.objects.count() >= STAFF // 2


def test_org_tree_has_four_levels_and_a_manager_per_unit(bench_data):
    assert OrgUnit.objects.aggregate(deepest=Max("depth"))["deepest"] == 3
    assert OrgUnit.objects.filter(parent=None).count() == 1
    for unit in OrgUnit.objects.exclude(parent=None).select_related("parent"):
        assert unit.path == f"{unit.parent.path}/{unit.name}"
        assert unit.depth == unit.parent.depth + 1
    managed = set(
        User.objects.filter(role=Role.MANAGER).values_list("unit_id", flat=True).distinct()
    )
    assert managed == set(OrgUnit.objects.values_list("id", flat=True))
    staff = User.objects.filter(role=Role.STAFF).select_related("manager", "unit")
    assert all(person.manager.unit_id == person.unit_id for person in staff)


def test_users_log_in_with_the_shared_password(bench_data, client):
    staff = User.objects.filter(role=Role.STAFF, is_active=True).first()
    assert staff.check_password(generate_bench_data.BENCH_PASSWORD)


def test_constraints_hold(bench_data):
    assert Share.objects.values("normalized_url").distinct().count() == SHARES
    assert not (
        Share.objects.values("staff", "campaign", "platform")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not Share.objects.filter(campaign__status=CampaignStatus.ACTIVE).exists()


def test_shares_look_like_what_the_app_accepts(bench_data):
    for share in Share.objects.select_related("campaign", "staff__unit").order_by("?")[:200]:
        parsed = platforms.parse(share.url)
        assert parsed.normalized_url == share.normalized_url
        assert parsed.platform == share.platform
        assert parsed.post_id == share.post_id
        assert share.campaign.posts.filter(platform=share.platform).exists()
        assert selectors.share_rules(share.campaign, share.staff)[0]  # in the audience
        if parsed.author_handle:
            assert SocialAccount.objects.filter(
                user=share.staff, platform=share.platform, handle=parsed.author_handle
            ).exists()


def test_status_mix_and_windows(bench_data):
    counts = dict(Share.objects.values_list("status").annotate(n=Count("id")))
    expected = {"verified": 0.80, "pending": 0.08, "needs_review": 0.07, "rejected": 0.04}
    for status, share in expected.items():
        assert abs(counts.get(status, 0) / SHARES - share) < 0.04, (status, counts)
    assert counts.get("removed", 0) < SHARES * 0.03

    year = timezone.localdate().year - 1
    late = 0
    for share in Share.objects.select_related("campaign").iterator():
        day = timezone.localdate(share.submitted_at)
        assert day >= share.campaign.starts_on
        late += day > share.campaign.ends_on
        assert share.campaign.starts_on.year == year
    assert 0 < late < SHARES * 0.1


def test_index_rebuild_path_restores_every_index(require_postgres, monkeypatch):
    def share_indexes() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", [Share._meta.db_table]
            )
            return {name for (name,) in cursor.fetchall()}

    before = share_indexes()
    monkeypatch.setattr(generate_bench_data, "REBUILD_INDEXES_FROM", 0)
    generate()
    assert share_indexes() == before
    assert Share.objects.count() == SHARES


def test_running_again_replaces_the_data(require_postgres):
    generate()
    generate()
    assert User.objects.count() == STAFF
    assert Share.objects.count() == SHARES


def test_refuses_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("checks the message on SQLite")
    with pytest.raises(CommandError, match="needs a PostgreSQL"):
        generate()


def test_presence_option(require_postgres, client):
    """--presence: proofs, rules, confirmations, spot checks, snapshots and a drive that
    the compliance report and follower growth pages read."""
    from presence.models import (
        FollowConfirmation,
        FollowDrive,
        FollowerSnapshot,
        FollowRequirement,
        RequiredPlatforms,
        SpotCheck,
    )

    generate(presence=True)
    assert RequiredPlatforms.objects.filter(unit__parent=None).get().platforms == [
        "facebook",
        "instagram",
    ]
    assert FollowRequirement.objects.count() == 3
    assert FollowConfirmation.objects.filter(following=True).count() > STAFF // 2
    assert SpotCheck.objects.exists()
    assert FollowerSnapshot.objects.filter(taken_on=timezone.localdate()).count() == 7
    assert FollowDrive.objects.get().units.count() == 2
    assert SocialAccount.objects.filter(proof_status="proven").exists()
    client.force_login(User.objects.get(role=Role.HR_ADMIN))
    assert client.get("/presence/").status_code == 200
    assert (
        client.get(f"/presence/official/drives/{FollowDrive.objects.get().pk}/").status_code == 200
    )
    generate()  # without the option: the presence rows go with the people
    assert not FollowConfirmation.objects.exists() and not FollowDrive.objects.exists()
