"""Who sees whom: staff themselves, a manager their subtree, HR everyone."""

import pytest

from accounts import selectors
from accounts.models import OrgUnit, Role, User

pytestmark = pytest.mark.django_db


def unit(path: str) -> OrgUnit:
    parent = None
    for depth, name in enumerate(path.split("/")):
        prefix = "/".join(path.split("/")[: depth + 1])
        parent, _ = OrgUnit.objects.get_or_create(
            path=prefix, defaults={"name": name, "parent": parent, "depth": depth}
        )
    return parent


def person(staff_id: str, unit_path: str, role: str = Role.STAFF) -> User:
    return User.objects.create_user(
        staff_id,
        f"{staff_id}@example.gov.my",
        "pw",
        full_name=staff_id,
        unit=unit(unit_path),
        role=role,
    )


@pytest.fixture
def org():
    """alice: staff in HQ/Comms/Digital; bob: manager of HQ/Comms; charlie:
    manager of HQ/Finance; dana: staff in HQ/Finance; hana: HR admin."""
    return {
        "alice": person("alice", "HQ/Comms/Digital"),
        "ali": person("ali", "HQ/Comms"),
        "bob": person("bob", "HQ/Comms", Role.MANAGER),
        "charlie": person("charlie", "HQ/Finance", Role.MANAGER),
        "dana": person("dana", "HQ/Finance"),
        # A sibling whose name starts like Comms must not leak into its subtree.
        "eve": person("eve", "HQ/CommsExtra"),
        "hana": person("hana", "HQ", Role.HR_ADMIN),
    }


def visible(user: User) -> set[str]:
    return set(selectors.users_visible_to(user).values_list("staff_id", flat=True))


def test_staff_see_only_themselves(org):
    assert visible(org["alice"]) == {"alice"}


def test_manager_sees_own_unit_and_below(org):
    assert visible(org["bob"]) == {"alice", "ali", "bob"}


def test_manager_of_another_unit_sees_none_of_them(org):
    assert visible(org["charlie"]) == {"charlie", "dana"}
    assert not selectors.can_see_user(org["charlie"], org["alice"])


def test_hr_admin_sees_everyone(org):
    assert visible(org["hana"]) == set(User.objects.values_list("staff_id", flat=True))


def test_inactive_viewer_sees_nobody(org):
    org["bob"].is_active = False
    org["bob"].save()
    assert visible(org["bob"]) == set()


def test_units_visible_to(org):
    paths = set(selectors.units_visible_to(org["bob"]).values_list("path", flat=True))
    assert paths == {"HQ/Comms", "HQ/Comms/Digital"}
    assert not selectors.units_visible_to(org["alice"]).exists()


def test_subtree_on_a_five_level_tree_is_one_query(django_assert_num_queries):
    levels = ["L1", "L1/L2", "L1/L2/L3", "L1/L2/L3/L4", "L1/L2/L3/L4/L5"]
    for i, path in enumerate(levels):
        person(f"p{i}", path)
        person(f"q{i}", path.replace("L1", "M1", 1))
    person("twin", "L1/L2x")
    mid = OrgUnit.objects.get(path="L1/L2/L3")
    with django_assert_num_queries(1):
        ids = set(selectors.staff_in_unit(mid).values_list("staff_id", flat=True))
    assert ids == {"p2", "p3", "p4"}
    top = OrgUnit.objects.get(path="L1")
    assert set(selectors.staff_in_unit(top).values_list("staff_id", flat=True)) == {
        "p0",
        "p1",
        "p2",
        "p3",
        "p4",
        "twin",
    }
    assert OrgUnit.objects.subtree(top).count() == 6
