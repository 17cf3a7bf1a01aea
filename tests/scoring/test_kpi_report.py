"""The printable KPI report and its downloads: who may see what, and that each
format really holds the rows."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import OrgUnit
from scoring.models import KpiScore
from tests.factories import UserFactory, make_unit

from .conftest import local, make_campaign, make_share, pdf_pages

pytestmark = pytest.mark.django_db

D = datetime.date
REPORT = reverse("scoring:kpi_report")


@pytest.fixture
def shares(org):
    """alice: 6 campaigns (2 points); ali: 1 (1 point); dana: 50 (5 points)."""
    campaigns = [make_campaign(D(2025, 2, 1), D(2025, 11, 30)) for _ in range(50)]
    for campaign in campaigns[:6]:
        make_share(org["alice"], campaign, local(2025, 3, 1))
    make_share(org["ali"], campaigns[0], local(2025, 3, 1))
    for campaign in campaigns:
        make_share(org["dana"], campaign, local(2025, 4, 1))
    return campaigns


def get(client, user, **params):
    client.force_login(user)
    return client.get(REPORT, {"year": 2025, **params})


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_anonymous_goes_to_login(client):
    response = client.get(REPORT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_staff_may_not_see_reports(client, org):
    assert get(client, org["alice"]).status_code == 403
    assert get(client, org["alice"], format="csv").status_code == 403


def test_manager_sees_own_subtree_by_default(client, org, shares):
    response = get(client, org["bob"])
    assert response.status_code == 200
    text = response.content.decode()
    for shown in (
        "Agensi Contoh Malaysia",
        "HQ/Comms and its sub-units",
        "Alice Tan",
        "Ali bin Abu",
    ):
        assert shown in text
    assert "Dana Raj" not in text and "Hana Aziz" not in text
    assert 'href="/static/css/print.css"' in text  # the print CSS, as a static file
    css = (settings.BASE_DIR / "static" / "css" / "print.css").read_text()
    assert "thead { display: table-header-group; }" in css
    assert re.search(r"3\s*</div><div class=\"label\">people", text)


def test_manager_may_pick_a_sub_unit_but_not_another_branch(client, org, shares):
    digital = org["alice"].unit
    text = get(client, org["bob"], unit=digital.pk).content.decode()
    assert "Alice Tan" in text and "Ali bin Abu" not in text
    assert get(client, org["bob"], unit=org["dana"].unit.pk).status_code == 404
    assert get(client, org["bob"], unit="HQ").status_code == 404
    assert get(client, org["bob"], unit="999999").status_code == 404


def test_hr_sees_the_whole_organisation(client, org, shares):
    text = get(client, org["hana"]).content.decode()
    assert "Whole organisation" in text
    for name in ("Alice Tan", "Ali bin Abu", "Dana Raj", "Hana Aziz", "Bob Lim"):
        assert name in text


def test_summary_totals_distribution_and_participation(client, org, shares):
    report = get(client, org["hana"]).context["report"]
    assert (report.people, report.participants) == (7, 3)
    assert (report.total_shares, report.total_points) == (57, 8)
    assert round(report.participation_rate, 1) == 42.9
    assert [(d.band.label, d.people) for d in report.distribution] == [
        ("0", 4), ("1\u20135", 1), ("6\u201315", 1), ("16\u201330", 0), ("31\u201349", 0),
        ("50+", 1),
    ]  # fmt: skip


def test_missing_scores_are_computed_on_demand(client, org, shares):
    KpiScore.objects.all().delete()
    report = get(client, org["hana"]).context["report"]
    assert report.people == 7 and report.total_points == 8


def test_bad_parameters_are_a_400(client, org):
    assert get(client, org["hana"], year="twenty").status_code == 400
    assert get(client, org["hana"], format="docx").status_code == 400


def test_report_runs_a_fixed_number_of_queries(client, org, shares, django_assert_max_num_queries):
    client.force_login(org["hana"])
    get(client, org["hana"])  # warm: scheme and scores exist
    for _ in range(40):
        UserFactory(unit="HQ/Comms/Digital")
    get(client, org["hana"])  # compute the newcomers' rows
    with django_assert_max_num_queries(12):
        response = client.get(REPORT, {"year": 2025})
    assert response.context["report"].people == 47
    for fmt in ("csv", "xlsx"):
        with django_assert_max_num_queries(12):
            body(client.get(REPORT, {"year": 2025, "format": fmt}))


def test_csv_round_trips(client, org, shares):
    response = get(client, org["bob"], format="csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["staff_id"] for r in rows] == ["ali", "bob", "alice"]
    assert rows[2] == {
        "staff_id": "alice",
        "full_name": "Alice Tan",
        "unit": "HQ/Comms/Digital",
        "verified_shares": "6",
        "points": "2",
    }


def test_csv_defuses_formulas(client, org):
    UserFactory(staff_id="x1", full_name='=HYPERLINK("http://evil")', unit="HQ")
    raw = body(get(client, org["hana"], format="csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in raw


def test_xlsx_opens_with_typed_rows_and_frozen_header(client, org, shares):
    response = get(client, org["hana"], format="xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook["KPI"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Staff ID", "Full name", "Unit", "Verified shares", "Points")
    assert len(rows) == 8
    dana = next(r for r in rows if r[0] == "dana")
    assert dana == ("dana", "Dana Raj", "HQ/Finance", 50, 5)
    assert isinstance(dana[3], int) and isinstance(dana[4], int)
    assert sheet.freeze_panes == "A2"
    summary = dict(r[:2] for r in workbook["Summary"].iter_rows(values_only=True) if r and r[0])
    assert summary["Organisation"] == "Agensi Contoh Malaysia"
    assert summary["People"] == 7


def test_pdf_is_a_real_pdf(client, org, shares):
    response = get(client, org["bob"], format="pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) >= 1


def test_long_pdf_spans_pages(client, org):
    for _ in range(120):
        UserFactory(unit="HQ/Comms")
    pdf = get(client, org["bob"], format="pdf").content
    assert pdf_pages(pdf) >= 3


def test_pdf_of_a_unit_late_in_a_long_unit_list(client, org):
    """Large bench regression: an HR admin's PDF of the 837-person unit failed with
    RecursionError in cssselect2's ElementWrapper.previous_siblings. The page's unit
    picker lists every unit of the organisation (2,571 there), and WeasyPrint's UA
    stylesheet matches ``select option[selected]:not(option[selected] ~ option[selected])``:
    the ``~`` walks the selected option's previous siblings recursively, one frame
    each, so a unit past roughly the 950th option overflowed the stack. The PDF
    must not carry the filter form; the page keeps it."""
    hq = make_unit("HQ")
    OrgUnit.objects.bulk_create(
        OrgUnit(name=f"Branch {i:04}", parent=hq, path=f"HQ/Branch {i:04}", depth=1)
        for i in range(1500)
    )
    late = make_unit("HQ/Zone Office")  # sorts after every branch in the picker
    UserFactory(staff_id="zed", full_name="Zed Ong", unit=late)

    page = get(client, org["hana"], unit=late.pk).content.decode()
    options = re.findall(r"<option [^>]*>", page[page.index('id="unit"') :])
    assert len(options) > 1500 and "selected" in options[-1]  # the failing condition

    response = get(client, org["hana"], unit=late.pk, format="pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF") and pdf_pages(response.content) >= 1


def test_xlsx_year_is_a_number_dates_are_dates_and_the_table_has_a_filter(client, org, shares):
    workbook = openpyxl.load_workbook(io.BytesIO(body(get(client, org["hana"], format="xlsx"))))
    sheet = workbook["KPI"]
    assert sheet.auto_filter.ref == f"A1:E{sheet.max_row}"
    cells = {row[0].value: row[1] for row in workbook["Summary"].iter_rows() if row[0].value}
    assert cells["KPI year"].value == 2025 and cells["KPI year"].data_type == "n"
    for label in ("Period from", "Period to", "Generated"):
        assert cells[label].is_date, label
        assert cells[label].number_format != "General"
    assert cells["Period from"].value.date() == datetime.date(2025, 1, 1)
    assert cells["Period to"].value.date() == datetime.date(2025, 12, 31)
