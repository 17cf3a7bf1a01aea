"""The KPI report, its downloads, the dashboard and the verification reasons in the
reader's language: headings and labels from the catalogue, dates and decimals as the
language writes them. Tests marked ``catalogue`` need locale/ms and locale/id compiled."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from verification import reasons

from .conftest import local, make_campaign, make_share

pytestmark = pytest.mark.django_db

D = datetime.date
REPORT = reverse("scoring:kpi_report")


def translated(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def report(client, user, language, **params):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(REPORT, {"year": 2025, **params})


@pytest.fixture
def shares(org):
    campaign = make_campaign(D(2025, 2, 1), D(2025, 11, 30))
    make_share(org["alice"], campaign, local(2025, 3, 1))
    return campaign


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_report_dates_and_decimals_follow_the_language(client, org, shares, language):
    html = report(client, org["hana"], language).content.decode()
    with translation.override(language):
        assert date_format(D(2025, 12, 31), "DATE_FORMAT") in html
    # 1 of 7 people took part: 14.3 % (a decimal point in English and Malay, a comma in
    # Indonesian, as Django's formats write them).
    rate = {"en": "14.3%", "ms": "14.3%", "id": "14,3%"}[language]
    assert f'<div class="value">{rate}</div>' in html


def test_indonesian_dates_are_day_month_year(client, org, shares):
    with translation.override("id"):
        assert date_format(D(2025, 12, 31), "SHORT_DATE_FORMAT") == "31-12-2025"
    with translation.override("ms"):
        assert date_format(D(2025, 12, 31), "SHORT_DATE_FORMAT") == "31/12/2025"
    with translation.override("en"):
        assert date_format(D(2025, 12, 31), "DATE_FORMAT") == "31 Dec 2025"


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["ms", "id"])
def test_report_headings_in_the_readers_language(client, org, shares, language):
    html = report(client, org["hana"], language).content.decode()
    for msgid in ("Summary", "KPI year", "Whole organisation", "participation rate"):
        words = translated(language, msgid)
        assert words != msgid, f"{msgid!r} is not translated into {language}"
        assert words in html


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_csv_column_names_never_change(client, org, shares, language):
    response = report(client, org["hana"], language, format="csv")
    first = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert first == "staff_id,full_name,unit,verified_shares,points"


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["ms", "id"])
def test_xlsx_headings_in_the_readers_language(client, org, shares, language):
    response = report(client, org["hana"], language, format="xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = next(workbook["KPI"].iter_rows(values_only=True))
    assert header[0] == translated(language, "Staff ID")
    assert header[3] == translated(language, "Verified shares")
    assert header[3] != "Verified shares"
    summary = workbook.worksheets[1]
    labels = [row[0] for row in summary.iter_rows(values_only=True) if row and row[0]]
    assert translated(language, "Organisation") in labels


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["ms", "id"])
def test_dashboard_chart_titles_in_the_readers_language(client, org, shares, language):
    user = org["hana"]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    html = client.get(reverse("dashboard:dashboard"), {"year": 2025}).content.decode()
    assert f'<html lang="{language}">' in html
    for msgid in ("Shares over time", "Leaderboard", "Participation by unit"):
        words = translated(language, msgid)
        assert words != msgid
        assert words in html


@pytest.mark.catalogue
@pytest.mark.parametrize("language", ["ms", "id"])
def test_a_stored_reason_reads_in_the_readers_language(language):
    """A share keeps the code; the words are looked up when the reason is shown."""
    with translation.override("en"):
        english = reasons.describe("rejected.gone", {"platform": "x"}).staff
    with translation.override(language):
        local_words = reasons.describe("rejected.gone", {"platform": "x"}).staff
    assert local_words != english
    assert "X" in local_words  # the platform's name, whatever the language
