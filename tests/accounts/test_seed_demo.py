"""python manage.py seed_demo: a demo organisation, the same every time."""

import sys
import types
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count

from accounts.models import OrgUnit, Role, SocialAccount, User

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def totals() -> tuple[int, int, int]:
    return User.objects.count(), OrgUnit.objects.count(), SocialAccount.objects.count()


def test_running_twice_changes_nothing():
    first_output = seed()
    first = totals()
    snapshot = list(User.objects.values_list("staff_id", "full_name", "email", "unit__path"))

    second_output = seed()

    assert totals() == first
    assert (
        list(User.objects.values_list("staff_id", "full_name", "email", "unit__path")) == snapshot
    )
    assert "200 created" in first_output
    assert "0 created, 0 updated, 200 unchanged; 0 new units; 0 social accounts added" in (
        second_output
    )


def test_demo_logins_work_by_staff_id_and_email():
    output = seed()

    for staff_id, role in [
        ("hr001", Role.HR_ADMIN),
        ("mgr001", Role.MANAGER),
        ("stf001", Role.STAFF),
    ]:
        user = authenticate(username=staff_id, password="demo1234")
        assert user is not None, staff_id
        assert user.role == role
        assert authenticate(username=user.email, password="demo1234") == user
        assert f"{staff_id} " in output
        assert user.email in output
    assert "demo1234" in output


def test_demo_organisation_shape():
    seed()

    assert 190 <= User.objects.count() <= 210
    assert set(OrgUnit.objects.values_list("depth", flat=True)) == {0, 1, 2}
    root = OrgUnit.objects.get(depth=0)
    assert root.path == "Ibu Pejabat"
    assert 3 <= root.children.count() <= 4
    for division in root.children.all():
        assert 2 <= division.children.count() <= 3
    # Every unit has a manager working in it.
    managed = set(User.objects.filter(role=Role.MANAGER).values_list("unit__path", flat=True))
    assert managed == set(OrgUnit.objects.values_list("path", flat=True))
    assert User.objects.filter(role=Role.HR_ADMIN).count() == 1
    # Everyone but the head of the organisation has a manager.
    assert User.objects.filter(manager__isnull=True).count() == 1
    # mgr001 heads a division, so sees its sections too.
    mgr001 = User.objects.get(staff_id="mgr001")
    assert mgr001.unit.depth == 1
    assert OrgUnit.objects.subtree(mgr001.unit).count() > 1


def test_everyone_has_one_or_two_social_accounts():
    seed()

    per_user = User.objects.annotate(n=Count("social_accounts")).values_list("n", flat=True)
    assert set(per_user) <= {1, 2}
    assert 0 not in per_user
    account = SocialAccount.objects.filter(user__staff_id="stf001").first()
    assert account.handle in account.profile_url
    assert all(
        len(handle) <= 15 for handle in SocialAccount.objects.values_list("handle", flat=True)
    )


def test_other_apps_demo_content_is_seeded(monkeypatch):
    calls = []
    fake = types.ModuleType("campaigns.demo")
    fake.seed = lambda *, stdout: calls.append(stdout) or stdout.write("campaigns seeded")
    monkeypatch.setitem(sys.modules, "campaigns.demo", fake)

    output = seed()

    assert len(calls) == 1
    assert "campaigns seeded" in output
