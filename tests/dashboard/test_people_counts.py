"""The dashboard's people counts (dashboard.people): after any sequence of writes — scores
recounted, recomputed, upserted in bulk and deleted, people moved, deactivated,
reactivated, imported and deleted, accounts added and removed, units moved and deleted —
the counts kept from the triggers' notes equal a live count of every scope and year (run
on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

import pytest
import time_machine
from django.db import transaction

from accounts import imports
from accounts.models import OrgUnit, SocialAccount, User
from campaigns.models import ShareStatus
from dashboard import people, stats
from dashboard.models import (
    CAMPAIGN_YEAR,
    ORGANISATION_SCOPE,
    STAFF_YEAR,
    CampaignStaffTally,
    PeopleCountChange,
    PeopleStat,
)
from scoring.models import KpiScore
from scoring.services import compute_year, recount_person
from tests.factories import SocialAccountFactory, UserFactory, make_unit

from .conftest import KL, make_campaign, set_status
from .test_dashboard import log_share

D = datetime.date
PLATFORMS = ["facebook", "instagram", "tiktok", "x"]
YEARS = [2024, 2025]


def kept() -> dict:
    """The kept counts after folding the waiting notes in (non-zero rows only)."""
    stats.fold_changes()
    return {
        (r.scope, r.kpi_year, r.points): (r.people, r.participants)
        for r in PeopleStat.objects.all()
        if r.people or r.participants
    }


def live() -> dict:
    """The same counts, counted from the people, accounts and scores as they are."""
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    by_path = {path: pk for pk, path in paths.items()}

    def scopes(unit_id):
        found = [ORGANISATION_SCOPE]
        if unit_id is not None:
            parts = paths[unit_id].split("/")
            found += [by_path["/".join(parts[: i + 1])] for i in range(len(parts))]
        return found

    with_account = set(SocialAccount.objects.values_list("user_id", flat=True))
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    active = dict(User.objects.filter(is_active=True).values_list("pk", "unit_id"))
    for person, unit_id in active.items():
        for scope in scopes(unit_id):
            row = counts[(scope, STAFF_YEAR, 0)]
            row[0] += 1
            row[1] += person in with_account
    for person, year, points, shares in KpiScore.objects.values_list(
        "user_id", "year", "points", "verified_shares"
    ):
        if person in active:
            for scope in scopes(active[person]):
                row = counts[(scope, year, points)]
                row[0] += 1
                row[1] += shares > 0
    for person, campaign_id in CampaignStaffTally.objects.filter(verified__gt=0).values_list(
        "person_id", "campaign_id"
    ):
        if person in active:
            for scope in scopes(active[person]):
                counts[(scope, CAMPAIGN_YEAR, campaign_id)][0] += 1
    return {key: tuple(value) for key, value in counts.items() if any(value)}


def move_unit(unit: OrgUnit, parent: OrgUnit) -> None:
    """Re-parent a unit with no children (parent, path and depth, as an admin might)."""
    OrgUnit.objects.filter(pk=unit.pk).update(
        parent=parent, path=f"{parent.path}/{unit.name}", depth=parent.depth + 1
    )


@pytest.fixture(autouse=True)
def june_2025():
    with time_machine.travel(datetime.datetime(2025, 6, 16, 10, 0, tzinfo=KL), tick=False):
        yield


@pytest.mark.django_db
def test_the_triggers_are_installed():
    assert people.installed() == people.expected_triggers() > 0


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_counts_kept_from_the_notes_equal_a_live_count(seed):
    rng = random.Random(seed)
    units = [make_unit(path) for path in ("HQ/A/A1", "HQ/A/A2", "HQ/B", "HQ/B/B1", "Other")]
    units = list(OrgUnit.objects.all())
    staff = [
        UserFactory(unit=rng.choice([*units, None]), is_active=rng.random() > 0.1)
        for _ in range(24)
    ]
    campaign = make_campaign(D(2025, 4, 1), D(2025, 6, 30))
    shares = []
    assert kept() == live()

    def score_write():
        person, year = rng.choice(staff), rng.choice(YEARS)
        KpiScore.objects.update_or_create(
            user=person,
            year=year,
            defaults={"points": rng.choice([0, 0, 2, 5]), "verified_shares": rng.randint(0, 3)},
        )

    def bulk_scores():
        chosen = rng.sample(staff, 8)
        year = rng.choice(YEARS)
        KpiScore.objects.bulk_create(
            [
                KpiScore(
                    user=p,
                    year=year,
                    points=rng.choice([0, 2, 5]),
                    verified_shares=rng.randint(0, 2),
                )
                for p in chosen
            ],
            update_conflicts=True,
            unique_fields=["user", "year"],
            update_fields=["points", "verified_shares"],
        )

    def delete_score():
        KpiScore.objects.filter(pk__in=KpiScore.objects.order_by("?").values("pk")[:1]).delete()

    def share_and_recount():
        person = rng.choice(staff)
        platform = rng.choice(PLATFORMS)
        if any(s.staff_id == person.pk and s.platform == platform for s in shares):
            return
        status = rng.choice([ShareStatus.VERIFIED, ShareStatus.PENDING])
        shares.append(
            log_share(
                person,
                campaign,
                datetime.datetime(2025, 5, 2, tzinfo=KL),
                platform=platform,
                status=status,
            )
        )
        recount_person(user_id=person.pk, year=2025)

    def recompute():
        compute_year(year=2025)

    def change_share():
        if shares:
            share = rng.choice(shares)
            share.refresh_from_db()
            target = rng.choice(
                [
                    s
                    for s in (ShareStatus.VERIFIED, ShareStatus.REJECTED, ShareStatus.REMOVED)
                    if s != share.status
                ]
            )
            shares[shares.index(share)] = set_status(share, target)

    def rebuild_campaign():
        stats.refresh_campaign(campaign.pk)

    def move_person():
        person = rng.choice(staff)
        person.refresh_from_db()
        person.unit = rng.choice([*OrgUnit.objects.all(), None])
        person.save()

    def switch_active():
        person = rng.choice(staff)
        person.refresh_from_db()
        if rng.random() < 0.5:
            person.is_active = not person.is_active
            person.save()
        else:  # a queryset update, as bulk paths write
            User.objects.filter(pk=person.pk).update(is_active=not person.is_active)
            person.refresh_from_db()

    def add_account():
        person = rng.choice(staff)
        taken = set(person.social_accounts.values_list("platform", flat=True))
        free = [p for p in PLATFORMS if p not in taken]
        if free:
            SocialAccountFactory(user=person, platform=rng.choice(free))

    def remove_account():
        account = SocialAccount.objects.filter(user__in=staff).order_by("?").first()
        if account is not None:
            account.delete()

    def import_staff():
        rows = []
        for person in rng.sample(staff, 4):
            person.refresh_from_db()
            unit = rng.choice(["HQ/A/A1", "HQ/B", "HQ/C/New"])
            active = rng.choice(["yes", "no"])
            handle = f"imp{person.pk}x{rng.randint(0, 999)}"
            rows.append(
                f"{person.staff_id},{person.full_name},{person.email},{unit},,staff,"
                f"{active},{handle}"
            )
        text = "staff_id,full_name,email,unit,manager_staff_id,role,active,x\n"
        text += "\n".join(rows) + "\n"
        plan = imports.plan_import(content=text)
        assert plan.errors == (), plan.errors
        imports.apply_import(plan=plan)

    def new_person():
        staff.append(UserFactory(unit=rng.choice(list(OrgUnit.objects.all()))))

    def delete_person():
        sharing = {s.staff_id for s in shares}
        gone = [p for p in staff if p.pk not in sharing]  # shares protect their people
        if gone:
            person = rng.choice(gone)
            staff.remove(person)
            person.delete()

    def tree_change():
        leaves = [u for u in OrgUnit.objects.all() if not u.children.exists()]
        if rng.random() < 0.5:
            empty = [u for u in leaves if not u.members.exists()]
            if empty:
                rng.choice(empty).delete()
                return
        unit = rng.choice(leaves)
        parents = [
            u for u in OrgUnit.objects.exclude(pk=unit.pk) if not u.path.startswith(unit.path + "/")
        ]
        move_unit(unit, rng.choice(parents))

    def fold():
        stats.fold_changes()

    operations = [
        score_write,
        bulk_scores,
        delete_score,
        share_and_recount,
        recompute,
        move_person,
        switch_active,
        add_account,
        remove_account,
        import_staff,
        new_person,
        delete_person,
        tree_change,
        fold,
    ]
    for step in range(60):
        operation = rng.choice(operations)
        with transaction.atomic():
            operation()
        if step % 10 == 9:
            assert kept() == live(), f"after {operation.__name__} (step {step})"
    assert kept() == live()
    # A rebuild (refresh_dashboard_stats) writes the same counts.
    before = kept()
    stats.refresh_people()
    assert kept() == before == live()


@pytest.mark.django_db
def test_a_rolled_back_write_notes_nothing():
    unit = make_unit("HQ/A")
    person = UserFactory(unit=unit)
    assert kept() == live()
    with pytest.raises(RuntimeError), transaction.atomic():
        SocialAccountFactory(user=person)
        person.is_active = False
        person.save()
        raise RuntimeError
    assert not PeopleCountChange.objects.exists()
    assert kept() == live()


@pytest.mark.django_db
def test_a_recount_within_a_band_notes_nothing():
    person = UserFactory(unit=make_unit("HQ"))
    KpiScore.objects.create(user=person, year=2025, points=2, verified_shares=1)
    stats.fold_changes()
    KpiScore.objects.filter(user=person).update(verified_shares=2)  # same points, counted
    assert not PeopleCountChange.objects.exists()


@pytest.mark.django_db
def test_missing_counts_equal_the_lists_for_every_scope_kind_and_campaign():
    from dashboard import selectors

    rng = random.Random(7)
    for path in ("HQ/A/A1", "HQ/A/A2", "HQ/B", "Other"):
        make_unit(path)
    units = list(OrgUnit.objects.all())
    hr = UserFactory(unit=None, role="hr_admin")
    staff = [
        UserFactory(unit=rng.choice([*units, None]), is_active=rng.random() > 0.15)
        for _ in range(30)
    ]
    everyone = make_campaign(D(2025, 4, 1), D(2025, 6, 30))
    for_a = make_campaign(D(2025, 4, 1), D(2025, 6, 30))
    for_a.units.set([OrgUnit.objects.get(path="HQ/A")])
    for person in staff:
        if rng.random() < 0.5:
            SocialAccountFactory(user=person)
        for campaign in (everyone, for_a):
            if rng.random() < 0.5:
                log_share(
                    person,
                    campaign,
                    datetime.datetime(2025, 5, 2, tzinfo=KL),
                    status=rng.choice([ShareStatus.VERIFIED, ShareStatus.REJECTED]),
                )
    compute_year(year=2025)
    staff[0].unit = OrgUnit.objects.get(path="Other")  # moved out of for_a's audience
    staff[0].save()
    staff[1].is_active = False  # gone, with their shares
    staff[1].save()
    checked = 0
    for unit in [None, *units]:
        for campaign in (None, everyone, for_a):
            params = {"year": "2025"}
            if unit is not None:
                params["unit"] = str(unit.pk)
            if campaign is not None:
                params["campaign"] = str(campaign.pk)
            filters = selectors.parse_filters(hr, params)
            board = selectors.build(filters)
            for kind in selectors.MISSING_KINDS:
                listed = len(list(selectors.missing_people(filters, kind)))
                page = selectors.missing_people(
                    filters, kind, by_unit=False, unit_ids=board.scope_unit_ids
                )
                assert sorted(page) == sorted(selectors.missing_people(filters, kind))
                assert selectors.missing_count(board, kind) == listed, (params, kind)
                checked += listed
    assert checked > 0


@pytest.mark.django_db
def test_bulk_writes_are_noted_alike():
    """More than BULK_ROWS people at once (PostgreSQL: the statement takes the exclusive
    lock instead of locking each person): compute_scores-sized writes."""
    units = [make_unit(f"HQ/U{i}") for i in range(3)]
    User.objects.bulk_create(
        User(staff_id=f"B{i:04}", email=f"b{i}@example.com", full_name=f"B {i}", unit=units[i % 3])
        for i in range(people.BULK_ROWS + 100)
    )
    everyone = list(User.objects.all())
    KpiScore.objects.bulk_create(
        KpiScore(user=p, year=2025, points=i % 3, verified_shares=i % 2)
        for i, p in enumerate(everyone)
    )
    assert kept() == live()
    KpiScore.objects.filter(year=2025).update(points=5, verified_shares=3)
    User.objects.filter(unit=units[0]).update(unit=units[1])
    assert kept() == live()
