"""The exports' rows (``selectors.report_rows_in_chunks``: a sorted CTE through a
server-side cursor on PostgreSQL) are ``report_rows``' rows, in its order, and the CSV
is written a chunk at a time with the bytes it always had."""

import pytest

from accounts.models import OrgUnit, Role
from scoring import reports, selectors
from sharekpi import csvexport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(org):
    """More people than one chunk, with names that sort by collation, not by code point,
    formula-looking text, and units across the tree."""
    names = ["émile", "Zed", "zed", "Ämma", "=SUM(A1)", "+60 12", "-dash", "@at", "bob", "Bob"]
    for i in range(37):
        UserFactory(
            staff_id=f"s{i:03d}",
            full_name=f"{names[i % len(names)]} {i % 3}",
            unit=("HQ/Comms", "HQ/Comms/Digital", "HQ/Finance", "HQ")[i % 4],
        )
    return UserFactory(staff_id="hr-x", unit="HQ", role=Role.HR_ADMIN)


@pytest.mark.parametrize("unit_path", [None, "HQ", "HQ/Comms"])
@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_chunks_hold_report_rows_in_order(crowd, unit_path, chunk_size):
    unit = OrgUnit.objects.get(path=unit_path) if unit_path else None
    ref = str(unit.pk) if unit else None  # build_report computes the year's rows first
    report = reports.build_report(viewer=crowd, year=2025, unit_ref=ref)
    chunks = list(selectors.report_rows_in_chunks(report.scores, chunk_size))
    assert all(0 < len(chunk) <= chunk_size for chunk in chunks)
    assert [tuple(row) for chunk in chunks for row in chunk] == list(report.rows)
    assert list(report.iter_rows(chunk_size)) == list(report.rows)
    assert len(list(report.rows)) > (30 if unit_path in (None, "HQ") else 15)


def test_csv_bytes_are_the_row_by_row_writers(crowd, monkeypatch):
    monkeypatch.setattr(reports, "CSV_CHUNK", 7)
    report = reports.build_report(viewer=crowd, year=2025, unit_ref=None)
    pieces = list(reports.csv_lines(report))
    rowwise = list(csvexport.csv_lines(reports.CSV_HEADER, report.rows.iterator()))
    assert "".join(pieces) == "".join(rowwise)
    assert len(pieces) < len(rowwise) / 3  # a chunk at a time, not a line at a time
    assert "'=SUM(A1)" in "".join(pieces) and "'+60 12" in "".join(pieces)
