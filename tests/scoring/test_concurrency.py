"""Two verifications of one person's shares committing at the same time must
both count: the year's lock makes the second recount wait for the first."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction

from campaigns.models import Share, ShareStatus
from campaigns.services import change_share_status
from scoring.models import KpiScore
from tests.factories import UserFactory

from .conftest import local, make_campaign, make_share

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_concurrent_verifications_both_count(require_postgres):
    alice = UserFactory(staff_id="alice")
    first, second = (
        make_share(
            alice,
            make_campaign(D(2025, 3, 1), D(2025, 3, 31)),
            local(2025, 3, 5),
            status=ShareStatus.PENDING,
        )
        for _ in range(2)
    )
    first_recounted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def verify(share: Share, before_commit=None, wait_for=None):
        try:
            if wait_for is not None:
                wait_for.wait(10)
            with transaction.atomic():
                locked = Share.objects.select_for_update().get(pk=share.pk)
                change_share_status(share=locked, new_status=ShareStatus.VERIFIED)
                if before_commit is not None:
                    before_commit()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    def hold_open():
        first_recounted.set()
        release.wait(10)

    threads = [
        threading.Thread(target=verify, args=(first,), kwargs={"before_commit": hold_open}),
        threading.Thread(target=verify, args=(second,), kwargs={"wait_for": first_recounted}),
    ]
    for thread in threads:
        thread.start()
    first_recounted.wait(10)
    time.sleep(0.5)  # the second transaction is now waiting for the year's lock
    release.set()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert KpiScore.objects.get(user=alice, year=2025).verified_shares == 2
