"""Page breaks in the PDF of the printable KPI report (the table up to
``reports.PDF_TABLE_MAX_ROWS`` people): no printed page holds the table's header
and a single row, and the signature lines never stand alone on the last page:
they stay with the last rows and the total. Rendered by WeasyPrint and read back
from its page boxes, for unit sizes on both sides of each page boundary; the same
for the text listing of longer reports, and for a person's KPI statement."""

import datetime
import re

import pytest
from django.urls import reverse

from scoring import reports

from .conftest import local, make_campaign, make_share
from .test_kpi_pdf_listing import add_people, boxes, pdf_html, rendered_pages, text_of

pytestmark = pytest.mark.django_db
D = datetime.date


def people_rows(page) -> int:
    """Rows of the people table (six cells, in a <tbody>) on one printed page."""
    return sum(
        1
        for group in boxes(page._page_box, "TableRowGroupBox")
        if group.element is not None and group.element.tag == "tbody"
        for row in group.children
        if len(row.children) == 6
    )


# bob's report holds his unit's three people plus the added ones. On A4 the first
# page holds 4 rows and a full page 33: the added counts put the last rows and the
# signatures on each side of the second and third page's ends.
@pytest.mark.parametrize("added", [29, 31, 32, 33, 34, 35, 66, 67, 68])
def test_no_page_with_one_row_and_no_lonely_signatures(client, org, monkeypatch, added):
    add_people("HQ/Comms/Big", added)
    _, html = pdf_html(client, monkeypatch, org["bob"])
    pages = rendered_pages(html)
    rows = [people_rows(page) for page in pages]
    texts = [text_of(page._page_box) for page in pages]
    assert sum(rows) == added + 3
    for number, (count, text) in enumerate(zip(rows, texts, strict=True), start=1):
        if count:
            assert count >= 2, f"page {number} of {rows}: the header and one row"
            assert "Staff ID" in text, f"page {number}: the table header is repeated"
    assert "Prepared by" in texts[-1] and "Approved by" in texts[-1]
    assert rows[-1] >= 2, f"the signatures stand with too few rows: {rows}"
    assert "Total:" in texts[-1]


def test_one_font_family_in_the_pdf(client, org, monkeypatch):
    add_people("HQ/Comms/Big", 5)
    _, html = pdf_html(client, monkeypatch, org["bob"])
    families = {
        box.style["font_family"][0]
        for page in rendered_pages(html)
        for box in boxes(page._page_box, "TextBox")
    }
    assert families == {"DejaVu Sans"}, families


NUMBERED_LINE = re.compile(r"^ *\d+  ", re.M)


# The listing (long reports) fills 41 lines on its first page and 43 on the next:
# with bob's three people, 121 to 124 added fill the third listing page past the
# room the total and the signatures need, 125 leaves one person over.
@pytest.mark.parametrize("added", [119, 121, 124, 125])
def test_the_listing_keeps_the_signatures_with_the_last_people(client, org, monkeypatch, added):
    monkeypatch.setattr(reports, "PDF_TABLE_MAX_ROWS", 0)
    add_people("HQ/Comms/Big", added)
    _, html = pdf_html(client, monkeypatch, org["bob"])
    assert 'class="listing"' in html
    texts = [text_of(page._page_box) for page in rendered_pages(html)]
    people = [len(NUMBERED_LINE.findall(text)) for text in texts]
    assert sum(people) == added + 3
    assert all(count >= 2 for count in people if count), people
    assert "Prepared by" in texts[-1] and "Total:" in texts[-1]
    assert people[-1] >= 2, people


# A person's statement lists the campaigns that counted: 10 rows fit under the
# heading on the first page and 33 on the next; 41 to 44 put the last rows and the
# signatures around the second page's end.
@pytest.mark.parametrize("campaigns", [40, 41, 42, 44])
def test_the_statement_keeps_its_signatures_with_the_last_campaigns(
    client, org, monkeypatch, campaigns
):
    for _ in range(campaigns):
        make_share(org["alice"], make_campaign(D(2025, 5, 1), D(2025, 5, 31)), local(2025, 5, 2))
    seen = {}
    real = reports.html_to_pdf
    monkeypatch.setattr(
        reports, "html_to_pdf", lambda html: seen.setdefault("html", html) and real(html)
    )
    client.force_login(org["alice"])
    url = reverse("scoring:kpi_statement", args=["alice"])
    assert client.get(url, {"year": 2025, "format": "pdf"}).status_code == 200
    pages = rendered_pages(seen["html"])
    rows = [
        sum(
            1
            for group in boxes(page._page_box, "TableRowGroupBox")
            if group.element.tag == "tbody"
            for row in group.children
            if len(row.children) == 5
        )
        for page in pages
    ]
    assert sum(rows) == campaigns
    assert all(count >= 2 for count in rows if count), rows
    assert "Staff member (signature" in text_of(pages[-1]._page_box)
    assert rows[-1] >= 2, rows
