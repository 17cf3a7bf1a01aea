"""Retention (verification.retention, ``manage.py purge_expired``, the daily beat task):
screenshots and attempt details of a KPI year go SHAREKPI_RETENTION_DAYS after the
year was closed, in audited batches; everything else of the year stays."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

import audit
from audit.models import AuditEntry
from campaigns.models import ShareStatus
from scoring import services as scoring_services
from tests.factories import HrAdminFactory, UserFactory, make_campaign, make_share
from verification import retention, tasks
from verification.models import Appeal, VerificationAttempt, VerificationOutcome

pytestmark = pytest.mark.django_db

KL = zoneinfo.ZoneInfo("Asia/Kuala_Lumpur")
_posts = iter(range(7000, 100000))


@pytest.fixture(autouse=True)
def organisation_settings(settings, tmp_path):
    settings.TIME_ZONE = "Asia/Kuala_Lumpur"
    settings.SHAREKPI_KPI_YEAR_START_MONTH = 1
    settings.SHAREKPI_RETENTION_DAYS = 730
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def alice():
    return UserFactory(staff_id="alice", full_name="Alice Tan", unit="HQ/Comms")


@pytest.fixture
def hana():
    return HrAdminFactory(staff_id="hana", full_name="Hana HR", unit="People")


def share_of(year: int, staff, *, screenshot=True, appeal=False, attempts=1):
    """A share submitted in KPI ``year``, with a screenshot, attempts and maybe an appealed one."""
    post = next(_posts)
    share = make_share(
        staff,
        make_campaign(f"Campaign {post}"),
        f"https://www.facebook.com/{staff.staff_id}/posts/{post}",
        status=ShareStatus.REJECTED,
        status_reason="not our post",
        submitted_at=datetime.datetime(year, 6, 1, 12, tzinfo=KL),
    )
    if screenshot:
        share.screenshot.save(f"shot-{post}.png", ContentFile(b"png bytes"), save=True)
    for n in range(attempts):
        VerificationAttempt.objects.create(
            share=share,
            outcome=VerificationOutcome.REJECTED,
            url_fetched=f"https://www.facebook.com/plugins/post/oembed.json/?url={post}",
            http_status=404,
            reason=f"the post is gone ({n})",
        )
    if appeal:
        item = Appeal.objects.create(
            share=share,
            staff=staff,
            note="It is mine.",
            appealed_status=share.status,
            appealed_status_at=share.status_changed_at,
        )
        item.screenshot.save(f"appeal-{post}.png", ContentFile(b"png"), save=True)
    return share


def close(year: int, hr, on: datetime.datetime):
    with time_machine.travel(on, tick=False):
        scoring_services.close_year(year=year, actor=hr)


def media_file(name: str):
    return django_settings.MEDIA_ROOT / name


def purged_entries():
    return AuditEntry.objects.filter(action="retention.purged")


def test_a_year_closed_longer_than_retention_loses_screenshots_and_attempt_details(alice, hana):
    old = share_of(2023, alice, appeal=True, attempts=2)
    shot, appeal_shot = old.screenshot.name, old.appeals.get().screenshot.name
    assert media_file(shot).exists() and media_file(appeal_shot).exists()
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    [report] = retention.purge_expired(now=datetime.datetime(2026, 1, 10, 1, tzinfo=KL))

    assert (report.year, report.share_screenshots, report.appeal_screenshots) == (2023, 1, 1)
    assert report.attempts == 2
    old.refresh_from_db()
    assert not old.screenshot and not old.appeals.get().screenshot
    assert not media_file(shot).exists() and not media_file(appeal_shot).exists()
    for attempt in old.attempts.all():
        assert (attempt.url_fetched, attempt.http_status, attempt.reason) == ("", None, "")
        assert attempt.outcome == VerificationOutcome.REJECTED  # what happened stays
    # The share, its status and reason, and the appeal's note stay.
    assert old.status == ShareStatus.REJECTED and old.status_reason == "not our post"
    assert old.appeals.get().note == "It is mine."


def test_every_purge_batch_is_audited_and_the_chain_stays_intact(alice, hana):
    share_of(2023, alice, appeal=True)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    retention.purge_expired(now=datetime.datetime(2026, 2, 1, tzinfo=KL))

    entries = {e.after["what"]: e for e in purged_entries()}
    assert set(entries) == {"share_screenshots", "appeal_screenshots", "attempt_details"}
    entry = entries["share_screenshots"]
    assert (entry.object_type, entry.object_id, entry.actor_id) == ("scoring.kpiyear", "2023", None)
    assert entry.after["count"] == 1 and entry.after["retention_days"] == 730
    assert audit.verify_chain().ok


def test_nothing_is_purged_before_retention_runs_out(alice, hana):
    share = share_of(2023, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    assert retention.purge_expired(now=datetime.datetime(2026, 1, 8, tzinfo=KL)) == []

    share.refresh_from_db()
    assert share.screenshot and share.attempts.get().reason
    assert not purged_entries().exists()


def test_an_open_or_reopened_year_is_never_purged(alice, hana):
    never_closed = share_of(2022, alice)
    reopened = share_of(2023, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    root = HrAdminFactory(staff_id="root", unit="People", is_superuser=True)
    scoring_services.reopen_year(year=2023, actor=root, reason="a late appeal")

    assert retention.purge_expired(now=datetime.datetime(2030, 1, 1, tzinfo=KL)) == []
    for share in (never_closed, reopened):
        share.refresh_from_db()
        assert share.screenshot


def test_only_the_expired_years_shares_are_touched(alice, hana):
    old = share_of(2023, alice)
    recent = share_of(2024, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    close(2024, hana, datetime.datetime(2025, 1, 10, tzinfo=KL))

    reports = retention.purge_expired(now=datetime.datetime(2026, 6, 1, tzinfo=KL))

    assert [r.year for r in reports] == [2023]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert not old.screenshot and recent.screenshot and recent.attempts.get().url_fetched


def test_the_kpi_year_is_judged_on_the_organisations_clock(alice, hana):
    # 1 Jan 2024, 00:30 in Kuala Lumpur is still 2023 in UTC: it belongs to KPI year 2024.
    share = share_of(2023, alice)
    share.submitted_at = datetime.datetime(2024, 1, 1, 0, 30, tzinfo=KL)
    share.save(update_fields=["submitted_at"])
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    [report] = retention.purge_expired(now=datetime.datetime(2026, 6, 1, tzinfo=KL))

    assert report.total == 0
    share.refresh_from_db()
    assert share.screenshot


def test_retention_days_come_from_the_setting(settings, alice, hana):
    settings.SHAREKPI_RETENTION_DAYS = 30
    share = share_of(2023, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    [report] = retention.purge_expired(now=datetime.datetime(2024, 2, 10, tzinfo=KL))

    assert report.share_screenshots == 1
    share.refresh_from_db()
    assert not share.screenshot


def test_dry_run_counts_and_changes_nothing(alice, hana):
    share = share_of(2023, alice, appeal=True, attempts=3)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    [report] = retention.purge_expired(dry_run=True, now=datetime.datetime(2026, 6, 1, tzinfo=KL))

    assert (report.share_screenshots, report.appeal_screenshots, report.attempts) == (1, 1, 3)
    share.refresh_from_db()
    assert share.screenshot and media_file(share.screenshot.name).exists()
    assert share.attempts.filter(reason="").count() == 0
    assert not purged_entries().exists()


def test_batches_each_commit_and_a_second_run_finds_nothing(alice, hana):
    shares = [share_of(2023, alice) for _ in range(5)]
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    now = datetime.datetime(2026, 6, 1, tzinfo=KL)

    [report] = retention.purge_expired(batch_size=2, now=now)

    assert report.share_screenshots == 5 and report.attempts == 5
    assert purged_entries().filter(after__what="share_screenshots").count() == 3
    assert all(not media_file(s.screenshot.name).exists() for s in shares)
    entries = purged_entries().count()
    [again] = retention.purge_expired(batch_size=2, now=now)
    assert again.total == 0 and purged_entries().count() == entries


def test_a_file_already_gone_does_not_stop_the_purge(alice, hana):
    share = share_of(2023, alice)
    media_file(share.screenshot.name).unlink()
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))

    [report] = retention.purge_expired(now=datetime.datetime(2026, 6, 1, tzinfo=KL))

    assert report.share_screenshots == 1
    share.refresh_from_db()
    assert not share.screenshot


def test_command_reports_and_dry_run_says_so(alice, hana):
    share_of(2023, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    out = io.StringIO()
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=KL)):
        call_command("purge_expired", "--dry-run", stdout=out)
        assert "would purge 1 share screenshots" in out.getvalue()
        assert "Dry run: nothing was changed." in out.getvalue()
        assert not purged_entries().exists()

        out = io.StringIO()
        call_command("purge_expired", "--batch-size", "10", stdout=out)
    assert "KPI year 2023" in out.getvalue() and "purged 1 share screenshots" in out.getvalue()
    assert purged_entries().exists()


def test_command_with_nothing_to_purge_and_a_bad_batch_size():
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert "Nothing to purge" in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("purge_expired", "--batch-size", "0")


def test_beat_runs_the_purge_daily(alice, hana):
    entry = django_settings.CELERY_BEAT_SCHEDULE["verification-purge-expired"]
    assert entry["task"] == "verification.tasks.purge_expired"
    assert entry["schedule"] == 24 * 3600
    share_of(2023, alice)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    with time_machine.travel(datetime.datetime(2026, 6, 1, tzinfo=KL)):
        assert tasks.purge_expired.apply().get() == 2  # one screenshot, one attempt


def test_proof_and_follow_screenshots_go_with_the_year_they_were_attached_in(alice, hana):
    """An account's ownership-proof screenshot and a follow confirmation's screenshot
    are purged like the share's, by the KPI year they were attached in; the account,
    its proof status, and the confirmation stay."""
    from accounts.models import ProofStatus, SocialAccount
    from campaigns.models import OfficialAccount
    from presence.models import FollowConfirmation

    def attached(year: int, n: int):
        person = UserFactory(staff_id=f"p{year}{n}", unit="HQ/Comms")
        account = SocialAccount.objects.create(
            user=person, platform="x", handle=f"p{year}{n}", proof_status=ProofStatus.PROVEN,
            proof_requested_at=datetime.datetime(year, 3, 1, tzinfo=KL),
        )  # fmt: skip
        account.proof_screenshot.save(f"proof-{year}-{n}.png", ContentFile(b"png"), save=True)
        official = OfficialAccount.objects.create(
            platform="x", handle=f"gov{year}{n}", name="Governor",
            profile_url=f"https://x.com/gov{year}{n}",
        )  # fmt: skip
        confirmation = FollowConfirmation.objects.create(
            user=person, official_account=official,
            confirmed_at=datetime.datetime(year, 4, 1, tzinfo=KL),
        )  # fmt: skip
        confirmation.screenshot.save(f"follow-{year}-{n}.png", ContentFile(b"png"), save=True)
        return account, confirmation

    old = [attached(2023, n) for n in range(3)]
    recent = attached(2024, 0)
    close(2023, hana, datetime.datetime(2024, 1, 10, tzinfo=KL))
    now = datetime.datetime(2026, 6, 1, tzinfo=KL)

    [dry] = retention.purge_expired(dry_run=True, now=now)
    assert dry.other_screenshots == {"proof_screenshots": 3, "follow_screenshots": 3}
    [report] = retention.purge_expired(batch_size=2, now=now)

    assert report.other_screenshots == {"proof_screenshots": 3, "follow_screenshots": 3}
    assert report.total == 6
    for account, confirmation in old:
        names = (account.proof_screenshot.name, confirmation.screenshot.name)
        account.refresh_from_db()
        confirmation.refresh_from_db()
        assert not account.proof_screenshot and not confirmation.screenshot
        assert not any(media_file(name).exists() for name in names)
        assert account.proof_status == ProofStatus.PROVEN and confirmation.following
    account, confirmation = recent
    account.refresh_from_db()
    confirmation.refresh_from_db()
    assert account.proof_screenshot and confirmation.screenshot
    whats = set(purged_entries().values_list("after__what", flat=True))
    assert {"proof_screenshots", "follow_screenshots"} <= whats
    assert purged_entries().filter(after__what="follow_screenshots").count() == 2  # 2 batches
    assert audit.verify_chain().ok
