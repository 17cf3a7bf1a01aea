"""An HR admin who is not a superuser cannot grant superuser, admin access, groups or
permissions in the Django admin: to anyone, themselves included."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_form_data(user, **overrides):
    data = {
        "staff_id": user.staff_id,
        "full_name": user.full_name,
        "email": user.email,
        "unit": user.unit_id or "",
        "manager": "",
        "role": user.role,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "00:00:00",
        "social_accounts-TOTAL_FORMS": "0",
        "social_accounts-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def hr():
    return UserFactory(staff_id="hana", role=Role.HR_ADMIN, unit="HQ/HR")


@pytest.fixture
def staff():
    return UserFactory(staff_id="sam", role=Role.STAFF, unit="HQ")


@pytest.mark.parametrize("target", ["self", "other"])
def test_hr_admin_cannot_grant_superuser_groups_or_permissions(client, hr, staff, target):
    group = Group.objects.create(name="Power")
    perm = Permission.objects.get(codename="delete_user")
    person = hr if target == "self" else staff
    client.force_login(hr)
    url = f"/admin/accounts/user/{person.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.text
    assert 'name="groups"' not in page.text
    assert 'name="user_permissions"' not in page.text
    response = client.post(
        url,
        change_form_data(
            person,
            is_superuser="on",
            groups=[group.pk],
            user_permissions=[perm.pk],
            role=Role.STAFF if target == "self" else person.role,
        ),
    )
    assert response.status_code in (200, 302)
    person.refresh_from_db()
    assert not person.is_superuser
    assert not person.groups.exists()
    assert not person.user_permissions.exists()
    if target == "self":
        assert person.role == Role.HR_ADMIN  # their own role is read-only for them


def test_hr_admin_cannot_edit_a_superuser_or_groups(client, hr):
    boss = UserFactory(staff_id="root", role=Role.STAFF, unit="HQ", is_superuser=True)
    client.force_login(hr)
    response = client.post(
        f"/admin/accounts/user/{boss.pk}/change/", change_form_data(boss, full_name="Hacked")
    )
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.full_name != "Hacked"
    assert client.post("/admin/auth/group/add/", {"name": "X"}).status_code == 403
    assert not Group.objects.filter(name="X").exists()


def test_a_superuser_still_can(client, staff):
    root = UserFactory(staff_id="root", role=Role.STAFF, unit="HQ", is_superuser=True)
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/user/{staff.pk}/change/", change_form_data(staff, is_superuser="on")
    )
    assert response.status_code == 302, response.content[:3000]
    staff.refresh_from_db()
    assert staff.is_superuser
