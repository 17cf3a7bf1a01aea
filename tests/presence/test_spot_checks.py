"""Spot checks: HR draws a random N % of a month's follow confirmations (and of the own
accounts not proven yet), marks each confirmed / not found with a note, every mark
audited; the compliance report reads the results through the selectors. The words are
"not confirmed" and "spot check failed", never "non-follower"."""

import datetime
import random

import pytest
import time_machine
from django.utils import timezone

from accounts.models import ProofStatus, Role, SocialAccount
from audit.models import AuditEntry
from presence import selectors, services
from presence.models import FollowConfirmation, SpotCheck
from tests.factories import UserFactory, make_unit

from .helpers import official

pytestmark = pytest.mark.django_db
PAGE = "/presence/spot-checks/"
MONTH = datetime.date(2026, 3, 1)


@pytest.fixture
def hr():
    return UserFactory(staff_id="hana", role=Role.HR_ADMIN)


@pytest.fixture
def confirmations():
    """40 people in HQ/Comms and 10 in HQ/Finance who confirmed following the governor."""
    governor = official("governor")
    comms, finance = make_unit("HQ/Comms"), make_unit("HQ/Finance")
    rows = []
    with time_machine.travel("2026-02-20 10:00 +08:00", tick=False):
        for i in range(50):
            person = UserFactory(staff_id=f"s{i:02}", unit=comms if i < 40 else finance)
            rows.append(services.set_follow(user=person, official_account=governor, following=True))
    return rows


@time_machine.travel("2026-03-10 10:00 +08:00", tick=False)
def test_draws_n_percent_and_tops_up_never_twice(hr, confirmations):
    SocialAccount.objects.create(user=confirmations[0].user, platform="x", handle="s00")
    SocialAccount.objects.create(
        user=confirmations[1].user, platform="x", handle="s01", proof_status=ProofStatus.PROVEN
    )
    drawn = services.draw_spot_checks(actor=hr, month=MONTH, percent=10, rng=random.Random(1))
    assert drawn == {"follow": 5, "account": 1}  # the proven account is not in the pool
    again = services.draw_spot_checks(actor=hr, month=MONTH, percent=10)
    assert again == {"follow": 0, "account": 0}
    more = services.draw_spot_checks(actor=hr, month=MONTH, percent=20, accounts=False)
    assert more == {"follow": 5, "account": 0}
    assert SpotCheck.objects.filter(kind="follow").values("confirmation").distinct().count() == 10
    entry = AuditEntry.objects.filter(action="spot_check.drawn").order_by("seq").first()
    assert entry.after == {"month": "2026-03", "percent": 10, "follow": 5, "account": 1}


@time_machine.travel("2026-03-10 10:00 +08:00", tick=False)
def test_only_confirmations_standing_by_the_months_end_on_must_follow_accounts(hr, confirmations):
    confirmations[0].following = False
    confirmations[0].save()
    optional = official("optional", must_follow=False)
    FollowConfirmation.objects.create(user=confirmations[1].user, official_account=optional)
    with time_machine.travel("2026-04-02 10:00 +08:00"):
        later = UserFactory()
        services.set_follow(
            user=later, official_account=confirmations[2].official_account, following=True
        )
    services.draw_spot_checks(actor=hr, month=MONTH, percent=100, accounts=False)
    drawn = set(SpotCheck.objects.values_list("confirmation_id", flat=True))
    assert len(drawn) == 49 and confirmations[0].pk not in drawn


@pytest.mark.parametrize("percent", [0, -5, 101, "ten", None, 2.5])
def test_n_out_of_range_is_refused(hr, percent):
    with pytest.raises(services.PresenceRefused) as refused:
        services.draw_spot_checks(actor=hr, month=MONTH, percent=percent)
    assert refused.value.field == "percent"
    assert not AuditEntry.objects.filter(action="spot_check.drawn").exists()


def test_n_out_of_range_on_the_page(client, hr):
    client.force_login(hr)
    response = client.post(f"{PAGE}draw/", {"month": "2026-03", "percent": "150"}, follow=True)
    assert "less than or equal to 100" in response.content.decode()
    assert not SpotCheck.objects.exists()


def test_a_month_not_started_is_refused(hr):
    future = selectors.next_month(timezone.localdate())
    with pytest.raises(services.PresenceRefused):
        services.draw_spot_checks(actor=hr, month=future, percent=5)


def test_a_manager_may_not_draw_or_mark(client, hr, confirmations):
    manager = UserFactory(role=Role.MANAGER, unit=make_unit("HQ/Comms"))
    with pytest.raises(services.PresenceRefused):
        services.draw_spot_checks(actor=manager, month=MONTH, percent=5)
    services.draw_spot_checks(actor=hr, month=MONTH, percent=100, accounts=False)
    check = SpotCheck.objects.first()
    with pytest.raises(services.PresenceRefused):
        services.mark_spot_check(spot_check=check, actor=manager, result="not_found")
    client.force_login(manager)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}draw/", {"month": "2026-03", "percent": "5"}).status_code == 403
    assert client.post(f"{PAGE}{check.pk}/mark/", {"result": "not_found"}).status_code == 403
    check.refresh_from_db()
    assert check.result == "pending"


def test_marks_are_audited_and_counted_for_the_report(client, hr, confirmations):
    services.draw_spot_checks(actor=hr, month=MONTH, percent=100, accounts=False)
    checks = {c.user.staff_id: c for c in SpotCheck.objects.select_related("user")}
    client.force_login(hr)
    for staff_id, result in [("s00", "not_found"), ("s01", "confirmed"), ("s45", "not_found")]:
        response = client.post(
            f"{PAGE}{checks[staff_id].pk}/mark/", {"result": result, "note": "looked at 10:00"}
        )
        assert response.status_code == 302
    marks = AuditEntry.objects.filter(action="spot_check.marked").order_by("seq")
    assert marks.count() == 3
    assert marks.first().after["result"] == "not_found" and marks.first().after["note"]
    governor = confirmations[0].official_account
    comms, finance = make_unit("HQ/Comms"), make_unit("HQ/Finance")
    assert selectors.spot_check_counts() == {
        (comms.pk, governor.pk): {"spot_checked": 2, "spot_check_failed": 1},
        (finance.pk, governor.pk): {"spot_checked": 1, "spot_check_failed": 1},
    }
    assert selectors.spot_check_counts([finance]) == {
        (finance.pk, governor.pk): {"spot_checked": 1, "spot_check_failed": 1}
    }
    failed = selectors.spot_check_failures([comms]).values_list("user__staff_id", flat=True)
    assert list(failed) == ["s00"]
    assert selectors.spot_check_failures(official_account=governor).count() == 2
    SocialAccount.objects.create(user=checks["s00"].user, platform="x", handle="s00_on_x")
    page = client.get(f"{PAGE}?month=2026-03").content.decode()
    assert "Spot check failed" in page and "non-follower" not in page.lower()
    assert "Look for @s00_on_x among its followers" in page


def test_a_later_mark_or_a_new_confirmation_clears_a_failure(hr, confirmations):
    services.draw_spot_checks(actor=hr, month=MONTH, percent=100, accounts=False)
    first = SpotCheck.objects.get(user__staff_id="s00")
    services.mark_spot_check(spot_check=first, actor=hr, result="not_found", note="not there")
    person, governor = first.user, first.official_account
    assert selectors.my_presence(person)["follows"][0]["spot_check_failed"] is True
    services.mark_spot_check(spot_check=first, actor=hr, result="confirmed", note="found now")
    assert not selectors.spot_check_failures().exists()
    services.mark_spot_check(spot_check=first, actor=hr, result="not_found")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        services.set_follow(user=person, official_account=governor, following=True)
    assert not selectors.spot_check_failures().exists()
    assert selectors.spot_check_counts()[(person.unit_id, governor.pk)]["spot_checked"] == 1


def test_a_bad_mark_is_refused(hr, confirmations):
    services.draw_spot_checks(actor=hr, month=MONTH, percent=100, accounts=False)
    with pytest.raises(services.PresenceRefused):
        services.mark_spot_check(spot_check=SpotCheck.objects.first(), actor=hr, result="maybe")


def test_an_own_account_marked_settles_its_proof(client, hr):
    from accounts.services import proof_code_for

    alice = UserFactory(staff_id="alice")
    account = SocialAccount.objects.create(user=alice, platform="tiktok", handle="alice.t")
    services.draw_spot_checks(actor=hr, month=timezone.localdate(), percent=100)
    check = SpotCheck.objects.get(kind="account")
    client.force_login(hr)
    assert proof_code_for(alice).code in client.get(PAGE).content.decode()
    services.mark_spot_check(spot_check=check, actor=hr, result="confirmed", note="code in bio")
    account.refresh_from_db()
    assert account.proof_status == ProofStatus.PROVEN
    assert AuditEntry.objects.filter(action="account.proof_spot_checked").count() == 1


def test_ownership_screenshots_waiting_are_decided_on_the_page(client, hr):
    account = SocialAccount.objects.create(
        user=UserFactory(), platform="instagram", handle="alice.ig", proof_needs_check=True
    )
    client.force_login(hr)
    assert "@alice.ig" in client.get(PAGE).content.decode()
    client.post(f"{PAGE}proofs/{account.pk}/decide/", {"decision": "fail", "note": "no code"})
    account.refresh_from_db()
    assert account.proof_status == ProofStatus.FAILED
