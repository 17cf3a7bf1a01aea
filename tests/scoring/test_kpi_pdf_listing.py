"""The PDF of a long KPI report: people as monospaced text lines, one table row per
printed page (scoring.reports.pdf_listing), because WeasyPrint spends ~0.5 ms on
every table cell: the old one-cell-per-value table took over a minute and ~870 MB
for 7,000 people and was refused beyond 3,000."""

import html as html_text
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import User
from scoring import reports
from tests.factories import UserFactory, make_unit

from .conftest import pdf_pages

pytestmark = pytest.mark.django_db

REPORT = reverse("scoring:kpi_report")
NUMBERED = re.compile(r"^ *(\d+) ")


def add_people(unit_path: str, count: int, prefix: str = "P") -> None:
    unit = make_unit(unit_path)
    User.objects.bulk_create(
        User(
            staff_id=f"{prefix}{i:05d}",
            full_name=f"Person {i:05d}",
            email=f"{prefix.lower()}{i}@example.com",
            unit=unit,
            password="!",
        )
        for i in range(count)
    )


def pdf_html(client, monkeypatch, user, **params) -> tuple[bytes, str]:
    """The PDF response and the HTML WeasyPrint was given."""
    seen = {}
    real = reports.html_to_pdf

    def keep(html):
        seen["html"] = html
        return real(html)

    monkeypatch.setattr(reports, "html_to_pdf", keep)
    client.force_login(user)
    response = client.get(REPORT, {"year": 2025, "format": "pdf", **params})
    assert response.status_code == 200, response
    return response.content, seen["html"]


def rendered_pages(html: str):
    from weasyprint import HTML

    return (
        HTML(string=html, base_url=reports.PDF_BASE_URL, url_fetcher=reports._static_fetcher())
        .render()
        .pages
    )


def boxes(box, kind: str):
    if type(box).__name__ == kind:
        yield box
    for child in getattr(box, "children", ()):
        yield from boxes(child, kind)


def text_of(box) -> str:
    return "\n".join(line.text for line in boxes(box, "TextBox"))


def test_display_width_and_wrapping():
    assert reports.display_width("Ali") == 3
    assert reports.display_width("陈伟") == 4  # wide characters take two cells
    assert reports.display_width("e\u0301") == 1  # a combining accent takes none
    assert reports.wrap_cells("HQ/Sabah Office/Branch Network/Section A", 18) == [
        "HQ/Sabah Office/",
        "Branch Network/",
        "Section A",
    ]
    assert reports.wrap_cells("Nurul Ain binti Abdul Rahman", 12) == [
        "Nurul Ain",
        "binti Abdul",
        "Rahman",
    ]
    assert reports.wrap_cells("B0000000000000000001", 8) == ["B0000000", "00000000", "0001"]
    assert reports.wrap_cells("陈伟明陈伟明", 5) == ["陈伟", "明陈", "伟明"]
    assert reports.wrap_cells("", 8) == [""]


def test_small_reports_keep_the_table(client, org, monkeypatch):
    _, html = pdf_html(client, monkeypatch, org["bob"])
    assert 'class="listing"' not in html and 'class="report-table"' in html


def test_listing_pages_each_fit_one_printed_page_under_the_header(client, org, monkeypatch):
    """Every printed page of the listing repeats the header and holds exactly one
    page of lines as pagination planned it: a person's lines (a long name, a deep
    unit) are never split, and WeasyPrint never had to drop the header to fit."""
    monkeypatch.setattr(reports, "PDF_TABLE_MAX_ROWS", 0)
    add_people("HQ/Comms", 130)
    deep = "HQ/Comms/" + "/".join(f"Section {c} of the Regional Network" for c in "ABCD")
    UserFactory(
        staff_id="long",
        full_name="Nurul Ain Syafiqah binti Mohd Abdul Rahman Al-Haj " * 3,
        unit=deep,
    )
    UserFactory(staff_id="wide", full_name="陈伟明 (Tan Wei Ming)", unit="HQ/Comms")

    pdf, html = pdf_html(client, monkeypatch, org["bob"])
    assert 'class="listing"' in html
    pages = rendered_pages(html)
    assert pdf_pages(pdf) == len(pages)

    planned = []
    numbers = []
    for i, page in enumerate(pages, start=1):
        footer = [box for box in boxes(page._page_box, "MarginBox") if text_of(box)]
        assert f"Page {i} of {len(pages)}" in {text_of(box).replace("\n", "") for box in footer}
        tables = [
            t for t in boxes(page._page_box, "TableBox") if t.element.get("class") == "listing"
        ]
        if not tables:
            continue
        (table,) = tables
        head, *bodies = table.children
        widest = max(line.width for line in boxes(table, "TextBox"))
        assert widest <= table.width, "the longest line fits across the page"
        assert head.is_header
        assert re.match(r" *# +Staff ID +Name +Unit +Verified +Points\n +shares$", text_of(head))
        body_rows = [row for group in bodies for row in group.children]
        texts = [text_of(row) for row in body_rows]
        if texts and texts[-1].lstrip().startswith("Total:"):
            texts.pop()
        assert len(texts) <= 1
        if not planned:  # the heading is not left alone on a page above the listing
            headings = [b for b in boxes(page._page_box, "BlockBox") if b.element_tag == "h2"]
            assert [text_of(b) for b in headings] == ["People"]
        planned.extend(texts)
        for text in texts:
            first = text.split("\n")[0]
            assert NUMBERED.match(first), "a page starts with a person's first line"
            numbers.extend(
                int(m.group(1)) for m in (NUMBERED.match(line) for line in text.split("\n")) if m
            )

    listing = html[html.index('<table class="listing">') :]
    *chunks, _ = re.findall(r"<tr><td>(.*?)</td></tr>", listing, re.S)
    assert planned == [html_text.unescape(chunk) for chunk in chunks]
    assert len(planned) >= 4  # first page plus full pages plus the rest
    people = User.objects.filter(unit__path__startswith="HQ/Comms").count()
    assert numbers == list(range(1, people + 1))
    everything = "\n".join(planned)
    assert "Nurul Ain Syafiqah binti Mohd" in everything
    assert "Section D of the Regional" in everything and "陈伟明" in everything
    assert f"Total: {people} people" in html


def test_pdf_beyond_the_old_3000_row_cap(client, org, monkeypatch):
    assert reports.PDF_MAX_ROWS >= 20_000
    add_people("HQ/Finance/Branches", 3_200)
    pdf, html = pdf_html(client, monkeypatch, org["hana"], unit=org["dana"].unit.pk)
    assert pdf.startswith(b"%PDF")
    listing = html[html.index('<table class="listing">') :]
    *listing_pages, total = re.findall(r"<tr><td>(.*?)</td></tr>", listing, re.S)
    numbered = [line for page in listing_pages for line in page.split("\n") if NUMBERED.match(line)]
    people = User.objects.filter(unit__path__startswith="HQ/Finance").count()
    assert people > 3_200 and len(numbered) == people
    assert "Person 03199" in html and f"Total: {people} people" in total
    # one summary page and the listing's, perhaps one more for the total and signatures
    assert len(listing_pages) + 1 <= pdf_pages(pdf) <= len(listing_pages) + 2


def test_beyond_the_cap_the_pdf_is_refused_with_a_message(client, org, monkeypatch):
    monkeypatch.setattr(reports, "PDF_MAX_ROWS", 3)
    client.force_login(org["hana"])
    response = client.get(REPORT, {"year": 2025, "format": "pdf"})
    assert response.status_code == 302
    assert response["Location"] == f"{REPORT}?year=2025"
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "too many for one PDF (at most 3)" in message
    assert "Excel or CSV" in message
    page = client.get(response["Location"]).content.decode()
    assert "format=pdf" not in page  # no PDF button for a report that cannot have one
