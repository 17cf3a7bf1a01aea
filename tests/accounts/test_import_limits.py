"""Staff import hardening: NUL bytes, too many rows, too deep unit paths, too large
files; the page and the command answer with a message, never a 500 or a traceback."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts import imports
from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "staff_id,full_name,email,unit,manager_staff_id,role,active"
NUL_CSV = f"{HEADER}\nS001,Siti\x00 Aminah,siti@example.com,HQ/Comms,,staff,yes\n"


def test_a_nul_byte_is_a_bad_line_on_the_page_and_nothing_is_written(client):
    hr = UserFactory(staff_id="hr1", role=Role.HR_ADMIN, unit="HQ/HR")
    client.force_login(hr)
    file = SimpleUploadedFile("s.csv", NUL_CSV.encode(), content_type="text/csv")
    preview = client.post(reverse("accounts:staff_import"), {"file": file})
    assert preview.status_code == 200
    assert "control character" in preview.text
    confirm = client.post(reverse("accounts:staff_import_confirm"), {"fingerprint": "x" * 64})
    assert confirm.status_code in (200, 302)
    assert not User.objects.filter(staff_id="S001").exists()


def test_a_nul_byte_is_a_clear_command_error(tmp_path, capsys):
    path = tmp_path / "staff.csv"
    path.write_bytes(NUL_CSV.encode())
    with pytest.raises(CommandError, match="bad line"):
        call_command("import_staff", str(path))
    assert not User.objects.filter(staff_id="S001").exists()


def test_the_command_refuses_more_rows_than_max_rows(tmp_path):
    rows = [f"S{i:03},Person {i},p{i}@example.com,HQ,,staff,yes" for i in range(5)]
    path = tmp_path / "staff.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(CommandError, match="bad line"):
        call_command("import_staff", str(path), "--max-rows", "4")
    assert not User.objects.filter(staff_id="S000").exists()
    call_command("import_staff", str(path), "--max-rows", "5")
    assert User.objects.filter(staff_id="S004").exists()


def test_the_command_refuses_a_file_larger_than_the_page_allows(tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    path = tmp_path / "staff.csv"
    path.write_text(HEADER + "\n" + "S001,A,a@example.com,HQ,,staff,yes\n" * 5)
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_staff", str(path))


def test_a_unit_path_deeper_than_the_limit_is_a_bad_row():
    deep = "/".join(f"L{i}" for i in range(imports.MAX_UNIT_DEPTH + 1))
    ok = "/".join(f"L{i}" for i in range(imports.MAX_UNIT_DEPTH))
    plan = imports.plan_import(content=f"{HEADER}\nS001,A,a@example.com,{deep},,staff,yes\n")
    assert not plan.is_valid
    assert "levels deep" in str(plan.errors[0])
    plan = imports.plan_import(content=f"{HEADER}\nS001,A,a@example.com,{ok},,staff,yes\n")
    assert plan.is_valid
