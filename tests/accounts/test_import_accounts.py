"""Staff CSV: the optional per-platform columns register each person's own accounts
(all-or-nothing like the rest of the file; a bad handle or one held by someone else is
a bad row naming its line; an empty cell leaves the account as it is)."""

from __future__ import annotations

import pytest

from accounts import imports
from accounts.models import SocialAccount, SocialAccountChange
from tests.factories import SocialAccountFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "staff_id,full_name,email,unit,manager_staff_id,role,active,x,tiktok,facebook"


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def plan_of(*rows: str):
    return imports.plan_import(content=csv_text(*rows))


def apply(*rows: str):
    plan = plan_of(*rows)
    assert plan.errors == (), plan.errors
    return imports.apply_import(plan=plan)


def accounts() -> set[tuple[str, str, str]]:
    return set(SocialAccount.objects.values_list("user__staff_id", "platform", "handle"))


def error_lines(plan) -> list[int]:
    return [error.line for error in plan.errors]


def test_handles_and_profile_links_register_accounts():
    apply(
        "S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling,https://www.tiktok.com/@wl.tan,",
        "S002,Kavitha,kv@example.com,HQ,,staff,yes,,,https://www.facebook.com/kavitha.s",
    )
    assert accounts() == {
        ("S001", "x", "weiling"),
        ("S001", "tiktok", "wl.tan"),
        ("S002", "facebook", "kavitha.s"),
    }


def test_reimporting_the_same_file_changes_nothing():
    row = "S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling,,"
    apply(row)
    changes = SocialAccountChange.objects.count()
    apply(row)
    assert accounts() == {("S001", "x", "weiling")}
    assert SocialAccountChange.objects.count() == changes


def test_an_empty_cell_leaves_the_account_as_it_is_and_a_new_handle_replaces_it():
    apply("S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling,@wl.tan,")
    apply("S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling_new,,")
    assert accounts() == {("S001", "x", "weiling_new"), ("S001", "tiktok", "wl.tan")}


def test_a_post_link_is_a_bad_row_and_nothing_is_written():
    plan = plan_of(
        "S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling,,",
        "S002,Kavitha,kv@example.com,HQ,,staff,yes,https://x.com/kv/status/1790000000000000001,,",
    )
    assert error_lines(plan) == [3]
    assert "x" in plan.errors[0].reason
    assert accounts() == set()


def test_a_handle_held_by_someone_else_is_a_bad_row():
    SocialAccountFactory(user=UserFactory(staff_id="OTHER"), platform="x", handle="weiling")
    plan = plan_of("S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@WeiLing,,")
    assert error_lines(plan) == [2]


def test_the_same_handle_twice_in_one_file_is_a_bad_row():
    plan = plan_of(
        "S001,Tan Wei Ling,wl@example.com,HQ,,staff,yes,@weiling,,",
        "S002,Kavitha,kv@example.com,HQ,,staff,yes,@weiling,,",
    )
    assert 3 in error_lines(plan)
