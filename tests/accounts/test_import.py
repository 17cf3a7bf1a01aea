"""Staff CSV import: the service (plan + apply) and the import_staff command."""

import unicodedata

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import imports
from accounts.models import OrgUnit, Role, User
from tests.factories import UserFactory, make_unit

pytestmark = pytest.mark.django_db

HEADER = "staff_id,full_name,email,unit,manager_staff_id,role,active"
GOOD_ROWS = [
    "M001,Siti Aminah binti Ahmad,siti@example.com,HQ/Comms,,manager,yes",
    "S001,Tan Wei Ling,weiling@example.com,HQ/Comms/Digital,M001,staff,",
    "S002,Kavitha a/p Subramaniam,Kavitha@Example.com,HQ/Comms/Digital,M001,staff,yes",
    "H001,Nurul Huda binti Hassan,nurul@example.com,HQ/HR,,hr_admin,Yes",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def import_text(text, **kwargs) -> imports.ImportResult:
    plan = imports.plan_import(content=text)
    assert plan.errors == (), plan.errors
    return imports.apply_import(plan=plan, **kwargs)


def reasons(plan) -> list[tuple[int, str]]:
    return [(error.line, error.reason) for error in plan.errors]


def assert_error(plan, line: int, fragment: str) -> None:
    assert any(e.line == line and fragment in e.reason for e in plan.errors), reasons(plan)


def write_queries(captured) -> list[str]:
    verbs = ("INSERT", "UPDATE", "DELETE")
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(verbs)
    ]


# --- a good file ----------------------------------------------------------------------------


def test_good_file_creates_units_and_users():
    plan = imports.plan_import(content=csv_text(*GOOD_ROWS))

    assert plan.is_valid
    assert plan.counts == {"create": 4, "update": 0, "unchanged": 0, "deactivate": 0}
    assert plan.new_unit_paths == ("HQ", "HQ/Comms", "HQ/HR", "HQ/Comms/Digital")
    assert User.objects.count() == 0  # planning writes nothing

    result = imports.apply_import(plan=plan)

    assert result.counts["create"] == 4
    assert result.units_created == 4
    digital = OrgUnit.objects.get(path="HQ/Comms/Digital")
    assert (digital.name, digital.depth, digital.parent.path) == ("Digital", 2, "HQ/Comms")
    assert OrgUnit.objects.get(path="HQ").parent is None
    kavitha = User.objects.get(staff_id="S002")
    assert kavitha.full_name == "Kavitha a/p Subramaniam"
    assert kavitha.email == "kavitha@example.com"
    assert kavitha.unit == digital
    assert kavitha.manager.staff_id == "M001"
    assert kavitha.role == Role.STAFF
    assert kavitha.is_active
    assert not kavitha.has_usable_password()
    assert User.objects.get(staff_id="H001").role == Role.HR_ADMIN


def test_set_password_gives_new_users_that_password():
    import_text(csv_text(*GOOD_ROWS), set_password="s3cret-Pass")

    assert authenticate(username="S001", password="s3cret-Pass").staff_id == "S001"
    assert authenticate(username="kavitha@example.com", password="s3cret-Pass").staff_id == "S002"


def test_existing_units_are_reused():
    hq = make_unit("HQ/Comms")

    result = import_text(csv_text(*GOOD_ROWS))

    assert result.units_created == 2  # HQ/Comms/Digital and HQ/HR
    assert OrgUnit.objects.get(path="HQ/Comms").pk == hq.pk
    assert OrgUnit.objects.get(path="HQ/HR").parent.path == "HQ"


def test_people_not_in_the_file_are_left_alone():
    other = UserFactory(staff_id="X001", full_name="Not In File")

    import_text(csv_text(*GOOD_ROWS))

    other.refresh_from_db()
    assert other.is_active
    assert other.full_name == "Not In File"


def test_manager_may_be_an_existing_user():
    UserFactory(staff_id="BOSS", role=Role.MANAGER)

    import_text(csv_text("S001,Ali bin Abu,ali@example.com,HQ,BOSS,staff,yes"))

    assert User.objects.get(staff_id="S001").manager.staff_id == "BOSS"


# --- every kind of bad row --------------------------------------------------------------------

BAD_ROWS = [
    ("missing full_name", ["S001,,a@example.com,HQ,,staff,yes"], 2, "full_name is missing"),
    ("missing staff_id", [",Ali,a@example.com,HQ,,staff,yes"], 2, "staff_id is missing"),
    ("missing email", ["S001,Ali,,HQ,,staff,yes"], 2, "email is missing"),
    ("missing role", ["S001,Ali,a@example.com,HQ,,,yes"], 2, "role is missing"),
    ("unknown role", ["S001,Ali,a@example.com,HQ,,boss,yes"], 2, "role 'boss' is unknown"),
    ("bad email", ["S001,Ali,not-an-email,HQ,,staff,yes"], 2, "not a valid email"),
    ("empty unit", ["S001,Ali,a@example.com,,,staff,yes"], 2, "unit is missing"),
    ("empty unit segment", ["S001,Ali,a@example.com,HQ//Comms,,staff,yes"], 2, "empty part"),
    ("trailing slash", ["S001,Ali,a@example.com,HQ/Comms/,,staff,yes"], 2, "empty part"),
    ("leading slash", ["S001,Ali,a@example.com,/HQ,,staff,yes"], 2, "empty part"),
    ("space in staff_id", ["S 001,Ali,a@example.com,HQ,,staff,yes"], 2, "contains a space"),
    (
        "duplicate staff_id",
        ["S001,Ali,a@example.com,HQ,,staff,yes", "S001,Abu,b@example.com,HQ,,staff,yes"],
        3,
        "staff_id appears again (first on line 3)",
    ),
    (
        "duplicate email, other case",
        ["S001,Ali,a@example.com,HQ,,staff,yes", "S002,Abu,A@Example.COM,HQ,,staff,yes"],
        3,
        "is also on line 3",
    ),
    (
        "unknown manager",
        ["S001,Ali,a@example.com,HQ,M999,staff,yes"],
        2,
        "manager_staff_id M999 is neither in this file nor an existing user",
    ),
    ("manager is self", ["S001,Ali,a@example.com,HQ,S001,staff,yes"], 2, "own staff_id"),
    ("unknown active", ["S001,Ali,a@example.com,HQ,,staff,maybe"], 2, "active 'maybe' is unknown"),
    (
        "too many values",
        ["S001,Ali, Abu,a@example.com,HQ,,staff,yes"],
        2,
        "8 values but the header has 7 columns",
    ),
    (
        "manager cycle",
        [
            "A,Ali,a@example.com,HQ,C,manager,yes",
            "B,Abu,b@example.com,HQ,A,manager,yes",
            "C,Chong,c@example.com,HQ,B,manager,yes",
        ],
        3,
        "manager cycle: B → A → C → B",
    ),
]


@pytest.mark.parametrize(
    ("rows", "line", "fragment"),
    [case[1:] for case in BAD_ROWS],
    ids=[case[0] for case in BAD_ROWS],
)
def test_bad_row_is_reported_with_its_line_and_nothing_is_written(rows, line, fragment):
    text = csv_text("G001,Good Person,good@example.com,HQ/Good,,staff,yes", *rows)

    plan = imports.plan_import(content=text)

    assert not plan.is_valid
    assert_error(plan, line + 1, fragment)  # +1: the good row comes first
    assert all(error.line != 2 for error in plan.errors), "the good row is not blamed"
    with pytest.raises(imports.ImportRejected):
        imports.apply_import(plan=plan)
    assert User.objects.count() == 0
    assert OrgUnit.objects.count() == 0


def test_every_bad_row_is_reported_at_once():
    text = csv_text(
        "S001,,a@example.com,HQ,,staff,yes",
        "S002,Ali,b@example.com,HQ,,staff,yes",  # fine
        "S003,Abu,abu-at-example.com,HQ,,staff,yes",
        "S004,Chong,c@example.com,HQ,,chief,yes",
        "S005,Devi,d@example.com,,,staff,yes",
        "S002,Ali again,e@example.com,HQ,,staff,yes",
    )

    plan = imports.plan_import(content=text)

    assert {error.line for error in plan.errors} == {2, 4, 5, 6, 7}
    assert plan.bad_line_count == 5
    assert [error.staff_id for error in plan.errors] == ["S001", "S003", "S004", "S005", "S002"]


def test_a_bad_row_reports_all_its_problems():
    plan = imports.plan_import(content=csv_text("S001,Ali,a@example.com,,M999,boss,yes"))

    assert reasons(plan) == [
        (2, "unit is missing"),
        (2, "role 'boss' is unknown (use staff, manager, hr_admin)"),
        (2, "manager_staff_id M999 is neither in this file nor an existing user"),
    ]
    assert plan.changes == ()


def test_missing_header_columns_are_named():
    plan = imports.plan_import(
        content=csv_text("S001,Ali,a@example.com", header="staff_id,full_name,email")
    )

    assert_error(plan, 1, "missing unit, manager_staff_id, role")
    assert plan.changes == ()


def test_empty_file_is_an_error():
    plan = imports.plan_import(content=b"")

    assert_error(plan, 1, "the file is empty")


def test_header_only_file_is_valid_and_changes_nothing():
    plan = imports.plan_import(content=imports.template_csv())

    assert plan.is_valid
    assert not plan.has_writes
    assert plan.row_count == 0


def test_email_of_another_existing_user_is_refused():
    UserFactory(staff_id="X001", full_name="Existing Person", email="taken@example.com")

    plan = imports.plan_import(content=csv_text("S001,Ali,Taken@example.com,HQ,,staff,yes"))

    assert_error(plan, 2, "taken@example.com already belongs to Existing Person (X001)")


def test_manager_cycle_through_existing_users():
    top = UserFactory(staff_id="TOP", role=Role.MANAGER)
    UserFactory(staff_id="MID", role=Role.MANAGER, manager=top)

    # TOP now reports to a new person who reports to MID, who reports to TOP.
    plan = imports.plan_import(
        content=csv_text(
            "TOP,Top Person,top@example.com,HQ,NEW,manager,yes",
            "NEW,New Person,new@example.com,HQ,MID,manager,yes",
        )
    )

    assert_error(plan, 2, "manager cycle: TOP → NEW → MID → TOP")
    assert_error(plan, 3, "manager cycle: NEW → MID → TOP → NEW")


def test_manager_chain_without_cycle_is_fine():
    plan = imports.plan_import(
        content=csv_text(
            "C,Chong,c@example.com,HQ,B,staff,yes",
            "B,Abu,b@example.com,HQ,A,manager,yes",
            "A,Ali,a@example.com,HQ,,manager,yes",
        )
    )

    assert plan.is_valid


def test_bad_bytes_are_reported_clearly():
    content = (csv_text(*GOOD_ROWS[:1]) + "S001,Ali\x81,a@example.com,HQ,,staff,yes\n").encode(
        "latin-1"
    )

    plan = imports.plan_import(content=content)

    assert_error(plan, 3, "not UTF-8")
    assert "CSV UTF-8" in plan.errors[0].reason


# --- encodings and Excel ----------------------------------------------------------------------


def test_utf8_bom_is_accepted():
    plan = imports.plan_import(content=("\ufeff" + csv_text(*GOOD_ROWS)).encode("utf-8"))

    assert plan.is_valid
    assert plan.counts["create"] == 4


def test_excel_saved_csv_is_accepted():
    """CRLF, BOM, header cells with spaces in another order, trailing empty
    columns and rows, quoted commas, Yes/N/TRUE/0 for active."""
    lines = [
        " Staff_ID ,role, full_name ,email,unit,Manager_Staff_ID ,Active,,",
        "M001,manager,Siti Aminah binti Ahmad,siti@example.com,HQ / Comms ,,TRUE,,",
        'S001,staff,"Lim, Mei Yee",mei@example.com,HQ/Comms,M001,Y,,',
        "S002,staff,Ravi a/l Raman,ravi@example.com,HQ/Comms,M001,0,,",
        ",,,,,,,,",
        ",,,,,,,,",
    ]
    content = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")

    plan = imports.plan_import(content=content)

    assert plan.errors == ()
    assert plan.warnings == ()
    assert plan.row_count == 3
    import_text(plan.text)
    assert User.objects.get(staff_id="S001").full_name == "Lim, Mei Yee"
    assert User.objects.get(staff_id="S001").unit.path == "HQ/Comms"
    assert User.objects.get(staff_id="S002").is_active is False
    assert OrgUnit.objects.filter(path="HQ/Comms").exists()


def test_windows_1252_file_is_read_with_a_warning():
    content = csv_text("S001,José Rizal,jose@example.com,HQ,,staff,yes").encode("cp1252")

    plan = imports.plan_import(content=content)

    assert plan.is_valid
    assert "not valid UTF-8" in plan.warnings[0]
    assert plan.changes[0].row.full_name == "José Rizal"


def test_semicolon_separated_file_is_read_with_a_warning():
    content = csv_text("S001;Ali;a@example.com;HQ;;staff;yes", header=HEADER.replace(",", ";"))

    plan = imports.plan_import(content=content)

    assert plan.is_valid
    assert "semicolons" in plan.warnings[0]


NAMES = [
    ("C001", "陈伟玲"),  # Chinese
    ("T001", "கவிதா சுப்பிரமணியம்"),  # Tamil
    ("J001", "نور عائشة بنت أحمد"),  # Malay in Jawi script
    ("I001", "Nyoman Sukarno Śuddhodana"),  # Indonesian, with a diacritic
    ("M001", "Nurul ʻAin binti Abdullah"),  # noqa: RUF001 (the ayin mark, as written)
]


def test_names_in_any_script_round_trip_unchanged():
    rows = [f"{sid},{name},{sid.lower()}@example.com,HQ,,staff,yes" for sid, name in NAMES]
    import_text(csv_text(*rows).encode("utf-8"))

    stored = dict(User.objects.values_list("staff_id", "full_name"))
    assert stored == dict(NAMES)


def test_names_are_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Zoë Nguyễn")
    assert decomposed != "Zoë Nguyễn"

    import_text(csv_text(f"S001,{decomposed},zoe@example.com,HQ/Café,,staff,yes"))

    user = User.objects.get(staff_id="S001")
    assert user.full_name == "Zoë Nguyễn"
    assert user.unit.path == "HQ/Café"
    # The same file again, decomposed or not, is unchanged.
    assert not imports.plan_import(
        content=csv_text("S001,Zoë Nguyễn,zoe@example.com,HQ/Café,,staff,yes")
    ).has_writes


# --- re-import, updates, deactivation -------------------------------------------------------


def test_importing_the_same_file_again_writes_nothing():
    import_text(csv_text(*GOOD_ROWS))

    plan = imports.plan_import(content=csv_text(*GOOD_ROWS))
    with CaptureQueriesContext(connection) as captured:
        result = imports.apply_import(plan=plan)

    assert plan.counts == {"create": 0, "update": 0, "unchanged": 4, "deactivate": 0}
    assert not plan.has_writes
    assert not result.written
    assert write_queries(captured) == []


def test_changed_rows_are_updated_and_the_changes_listed():
    import_text(csv_text(*GOOD_ROWS))
    rows = list(GOOD_ROWS)
    rows[1] = "S001,Tan Wei Ling,weiling@example.com,HQ/Comms/Social,H001,manager,"

    plan = imports.plan_import(content=csv_text(*rows))

    assert plan.counts == {"create": 0, "update": 1, "unchanged": 3, "deactivate": 0}
    (change,) = plan.pending
    assert change.staff_id == "S001"
    assert change.line == 3
    assert [(c.field, c.old, c.new) for c in change.changes] == [
        ("unit", "HQ/Comms/Digital", "HQ/Comms/Social"),
        ("manager_staff_id", "M001", "H001"),
        ("role", "staff", "manager"),
    ]
    imports.apply_import(plan=plan)
    user = User.objects.get(staff_id="S001")
    assert (user.unit.path, user.manager.staff_id, user.role) == (
        "HQ/Comms/Social",
        "H001",
        "manager",
    )


def test_deactivation_keeps_the_user():
    import_text(csv_text(*GOOD_ROWS), set_password="s3cret-Pass")
    rows = list(GOOD_ROWS)
    rows[1] = "S001,Tan Wei Ling,weiling@example.com,HQ/Comms/Digital,M001,staff,no"

    plan = imports.plan_import(content=csv_text(*rows))
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 3, "deactivate": 1}
    imports.apply_import(plan=plan)

    user = User.objects.get(staff_id="S001")
    assert user.is_active is False
    assert user.full_name == "Tan Wei Ling"
    assert authenticate(username="S001", password="s3cret-Pass") is None
    # Same file again: already inactive, so unchanged.
    assert imports.plan_import(content=csv_text(*rows)).counts["unchanged"] == 4
    # active=yes brings them back.
    plan = imports.plan_import(content=csv_text(*GOOD_ROWS))
    assert plan.counts["update"] == 1
    imports.apply_import(plan=plan)
    assert User.objects.get(staff_id="S001").is_active


def test_plan_gone_stale_is_refused_and_writes_nothing():
    plan = imports.plan_import(content=csv_text(*GOOD_ROWS))
    UserFactory(staff_id="S001", email="someone@example.com")  # someone else got there first

    with pytest.raises(imports.StaleImportPlan):
        imports.apply_import(plan=plan)
    assert User.objects.count() == 1
    assert OrgUnit.objects.filter(path="HQ/HR").count() == 0


def test_hr_admin_cannot_deactivate_or_demote_themselves_by_import():
    me = UserFactory(
        staff_id="H001", full_name="Nurul", email="nurul@example.com", role=Role.HR_ADMIN, unit="HQ"
    )

    plan = imports.plan_import(
        content=csv_text("H001,Nurul,nurul@example.com,HQ,,staff,no"), actor=me
    )

    assert_error(plan, 2, "you cannot deactivate yourself")
    assert_error(plan, 2, "you cannot take away your own HR admin role")


# --- size -----------------------------------------------------------------------------------


def test_ten_thousand_rows_import_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    rows = []
    for m in range(100):
        unit = f"Ibu Pejabat/Bahagian {m // 10}/Seksyen {m}"
        rows.append(f"M{m:04d},Ketua {m},m{m}@example.com,{unit},,manager,yes")
        for s in range(99):
            n = m * 99 + s
            rows.append(f"S{n:05d},Pegawai {n},s{n}@example.com,{unit},M{m:04d},staff,yes")
    text = csv_text(*rows)
    assert len(rows) == 10_000

    # A query (or more) per row would be 10,000+. Bulk writes need about
    # 120 on SQLite (999 parameters per query), far fewer on PostgreSQL.
    with django_assert_max_num_queries(200):
        plan = imports.plan_import(content=text)
        result = imports.apply_import(plan=plan, set_password="s3cret-Pass")

    assert result.counts["create"] == 10_000
    assert User.objects.count() == 10_000
    assert OrgUnit.objects.count() == 1 + 10 + 100
    assert User.objects.filter(manager__staff_id="M0042").count() == 99
    assert User.objects.get(staff_id="S09899").unit.path == "Ibu Pejabat/Bahagian 9/Seksyen 99"

    with django_assert_max_num_queries(10):
        again = imports.plan_import(content=text)
        imports.apply_import(plan=again)
    assert again.counts["unchanged"] == 10_000


# --- the import_staff command -----------------------------------------------------------------


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_text(csv_text(*GOOD_ROWS), encoding="utf-8")
    return path


def test_command_imports_and_prints_counts(good_file, capsys):
    call_command("import_staff", str(good_file), "--set-password", "s3cret-Pass")

    out = capsys.readouterr().out
    assert "4 row(s) read" in out
    assert "create: 4, update: 0, unchanged: 0, deactivate: 0, new units: 4" in out
    assert User.objects.count() == 4
    assert authenticate(username="H001", password="s3cret-Pass") is not None

    call_command("import_staff", str(good_file))
    assert "unchanged: 4" in capsys.readouterr().out


def test_command_dry_run_writes_nothing(good_file, capsys):
    call_command("import_staff", str(good_file), "--dry-run")

    out = capsys.readouterr().out
    assert "Would do: create: 4" in out
    assert "Dry run: nothing was written." in out
    assert User.objects.count() == 0
    assert OrgUnit.objects.count() == 0


def test_command_lists_every_bad_row_and_fails(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(
        csv_text(
            "S001,Ali,a@example.com,HQ,,staff,yes",
            "S002,Abu,not-an-email,HQ,,staff,yes",
            "S003,Chong,c@example.com,HQ,,chief,yes",
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError, match="2 bad line"):
        call_command("import_staff", str(path))

    err = capsys.readouterr().err
    assert "line 3 (S002): email 'not-an-email' is not a valid email address" in err
    assert "line 4 (S003): role 'chief' is unknown" in err
    assert User.objects.count() == 0


def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_staff", str(tmp_path / "nope.csv"))
