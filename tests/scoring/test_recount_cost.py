"""recount_person runs inside every verification's transaction, so its cost is pinned:
two statements in the steady state (the year's lock, one counting upsert), no
savepoints, on SQLite and PostgreSQL alike, and still the same answers."""

import datetime
import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from scoring import services
from scoring.bands import Band
from scoring.models import KpiScore, ScoringScheme

from .conftest import local, make_campaign, make_share

D = datetime.date


def stored(user, year=2025):
    row = KpiScore.objects.get(user=user, year=year)
    return (row.pk, row.verified_shares, row.points, row.scheme_version, row.computed_at)


def returned(score):
    return (score.pk, score.verified_shares, score.points, score.scheme_version, score.computed_at)


@pytest.fixture
def alice_2025(org):
    alice = org["alice"]
    for day in (3, 4):
        make_share(alice, make_campaign(D(2025, 3, 1), D(2025, 3, 31)), local(2025, 3, day))
    return alice


@pytest.mark.django_db
def test_steady_state_recount_is_two_statements(alice_2025, django_assert_max_num_queries):
    services.recount_person(user_id=alice_2025.pk, year=2025)  # scheme exists now
    with (
        django_assert_max_num_queries(2),
        CaptureQueriesContext(connection) as queries,
    ):
        score = services.recount_person(user_id=alice_2025.pk, year=2025)
    assert not [q for q in queries if "SAVEPOINT" in q["sql"].upper()]
    assert (score.verified_shares, score.points, score.scheme_version) == (2, 1, 1)
    assert returned(score) == stored(alice_2025)
    assert not score._state.adding


@pytest.mark.django_db
def test_recount_of_someone_with_no_counted_share_writes_the_first_band(org):
    score = services.recount_person(user_id=org["dana"].pk, year=2025)
    assert (score.verified_shares, score.points) == (0, 0)
    assert returned(score) == stored(org["dana"])


@pytest.mark.django_db
def test_closed_year_recount_changes_nothing_in_two_statements(org, django_assert_max_num_queries):
    alice = org["alice"]
    campaign = make_campaign(D(2024, 6, 1), D(2024, 6, 30))
    make_share(alice, campaign, local(2024, 6, 5))
    services.close_year(year=2024, actor=org["hana"])
    before = stored(alice, 2024)
    make_share(alice, make_campaign(D(2024, 7, 1), D(2024, 7, 31)), local(2024, 7, 5))
    with django_assert_max_num_queries(2):
        assert services.recount_person(user_id=alice.pk, year=2024) is None
    assert stored(alice, 2024) == before


@pytest.mark.django_db
def test_a_scheme_edit_reaches_the_next_recount(alice_2025):
    services.recount_person(user_id=alice_2025.pk, year=2025)  # caches version 1's bands
    hana = type(alice_2025).objects.get(staff_id="hana")
    services.update_scheme(year=2025, bands=[Band(0, 1, 0), Band(2, None, 7)], actor=hana)
    score = services.recount_person(user_id=alice_2025.pk, year=2025)
    assert (score.points, score.scheme_version) == (7, 2)


@pytest.mark.django_db
def test_a_rolled_back_scheme_edit_leaves_no_stale_bands(alice_2025):
    hana = type(alice_2025).objects.get(staff_id="hana")
    services.recount_person(user_id=alice_2025.pk, year=2025)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.update_scheme(year=2025, bands=[Band(0, 1, 0), Band(2, None, 7)], actor=hana)
        assert services.recount_person(user_id=alice_2025.pk, year=2025).points == 7
        raise RuntimeError("roll back")
    assert ScoringScheme.objects.get(year=2025).version == 1
    # The same version number again, with other bands.
    services.update_scheme(year=2025, bands=[Band(0, 1, 0), Band(2, None, 9)], actor=hana)
    score = services.recount_person(user_id=alice_2025.pk, year=2025)
    assert (score.points, score.scheme_version) == (9, 2)
    assert stored(alice_2025)[2:4] == (9, 2)


@pytest.mark.django_db
def test_without_insert_returning_the_row_is_read_back(org, monkeypatch):
    """SQLite before 3.35 has no RETURNING: one more statement, same result."""
    alice = org["alice"]
    make_share(alice, make_campaign(D(2025, 3, 1), D(2025, 3, 31)), local(2025, 3, 3))
    make_share(alice, make_campaign(D(2024, 6, 1), D(2024, 6, 30)), local(2024, 6, 5))
    services.close_year(year=2024, actor=org["hana"])
    with monkeypatch.context() as patch:
        patch.setattr(connection.features, "can_return_columns_from_insert", False)
        score = services.recount_person(user_id=alice.pk, year=2025)
        assert services.recount_person(user_id=alice.pk, year=2024) is None
    assert returned(score) == stored(alice)
    assert (score.verified_shares, score.points) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_recount_waiting_for_a_close_sees_the_close(require_postgres, org):
    """The close is checked by a statement that starts after the lock is granted:
    a recount that queued behind close_year must find the year closed, not write
    into it with the snapshot it had while waiting."""
    alice, hana = org["alice"], org["hana"]
    campaign = make_campaign(D(2024, 6, 1), D(2024, 6, 30))
    make_share(alice, campaign, local(2024, 6, 5))
    services.recount_person(user_id=alice.pk, year=2024)
    closing, release = threading.Event(), threading.Event()
    results: list = []
    errors: list[BaseException] = []

    def close():
        try:
            with transaction.atomic():
                services.close_year(year=2024, actor=hana)
                closing.set()
                release.wait(10)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def recount():
        try:
            closing.wait(10)
            with transaction.atomic():
                results.append(services.recount_person(user_id=alice.pk, year=2024))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=close), threading.Thread(target=recount)]
    for thread in threads:
        thread.start()
    closing.wait(10)
    time.sleep(0.5)  # the recount is now waiting for the year's lock
    # close_year leaves unchanged rows alone, so a recount that wrongly went ahead
    # would show as a new computed_at.
    frozen = stored(alice, 2024)
    release.set()
    for thread in threads:
        thread.join(20)
    assert not errors, errors
    assert results == [None]
    assert stored(alice, 2024) == frozen


@pytest.mark.django_db
def test_the_count_follows_the_kpi_year_settings(org, settings):
    """The counting SQL is compiled once per year and setting: a changed start month
    or zone must give a freshly compiled rule, not the cached one."""
    alice = org["alice"]
    make_share(alice, make_campaign(D(2026, 3, 1), D(2026, 3, 31)), local(2026, 3, 15))
    # 05:00 on 1 Jan 2026 in Kuala Lumpur is still 31 Dec 2025 in New York.
    new_year = make_campaign(D(2025, 12, 31), D(2026, 1, 1))
    make_share(alice, new_year, local(2026, 1, 1, 5, 0))
    assert services.recount_person(user_id=alice.pk, year=2025).verified_shares == 0
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 4
    assert services.recount_person(user_id=alice.pk, year=2025).verified_shares == 2
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 1
    settings.TIME_ZONE = "America/New_York"
    assert services.recount_person(user_id=alice.pk, year=2025).verified_shares == 1
