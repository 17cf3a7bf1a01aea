"""The weekly e-mails: each person's digest of the open campaigns they have not shared
yet, and each manager's team summary.

Sent in batches of people by primary-key range (``plan``): the beat task only reads
the smallest and largest id and queues one task a range, so no task holds the list of
everyone; a batch costs a handful of queries whatever its size (the team summary: two
more a manager). The sent-log (person, kind, ISO week) makes a re-run, a retried batch
or a second beat send nothing twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import UNIT_SEPARATOR, Role, User
from accounts.selectors import unit_scope_q
from campaigns.models import Campaign, CampaignStatus, Share

from .mail import Pending, absolute, build_message, language_of, send_once
from .models import NotificationKind, NotificationOptOut, NotificationSent

# How many names of people who have not shared a team summary lists (then "and N more").
TEAM_LIST_LIMIT = 25


def batch_size() -> int:
    return int(getattr(settings, "SHAREKPI_DIGEST_BATCH_SIZE", 500))


def week_key(day: datetime.date | None = None) -> str:
    """The ISO week of ``day`` (default: today, organisation time): ``2026-W49``."""
    year, week, _weekday = (day or timezone.localdate()).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(day: datetime.date) -> datetime.datetime:
    """Monday 00:00 of ``day``'s week, organisation time."""
    monday = day - datetime.timedelta(days=day.weekday())
    return timezone.make_aware(datetime.datetime.combine(monday, datetime.time.min))


def plan(size: int | None = None) -> list[tuple[int, int]]:
    """``[first pk, end pk)`` ranges covering every active person: two numbers read."""
    size = size or batch_size()
    bounds = User.objects.filter(is_active=True).aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    return [(low, low + size) for low in range(bounds["low"], bounds["high"] + 1, size)]


def _not_yet(kind: str, week: str, first_pk: int, end_pk: int):
    """People in range who still want ``kind`` and have not had this week's. The
    sent-log and opt-outs are read for the batch's id range only (their unique index
    leads with the person): PostgreSQL turns ``NOT EXISTS`` into an anti-join, and
    without the range it read every row of the week so far — each batch a little
    slower than the one before, the whole run quadratic in the organisation."""
    batch = {"user_id__gte": first_pk, "user_id__lt": end_pk}
    return ~Exists(
        NotificationOptOut.objects.filter(user=OuterRef("pk"), kind=kind, **batch)
    ) & ~Exists(NotificationSent.objects.filter(user=OuterRef("pk"), kind=kind, key=week, **batch))


def _recipients(first_pk: int, end_pk: int, kind: str, week: str):
    return (
        User.objects.filter(pk__gte=first_pk, pk__lt=end_pk, is_active=True)
        .exclude(email="")
        .filter(_not_yet(kind, week, first_pk, end_pk))
    )


def open_campaigns(today: datetime.date) -> list[tuple[Campaign, frozenset[str]]]:
    """Campaigns open today, each with its audience's unit paths (empty: everyone)."""
    campaigns = (
        Campaign.objects.filter(
            status=CampaignStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today
        )
        .prefetch_related("units")
        .order_by("ends_on", "pk")
    )
    return [(c, frozenset(u.path for u in c.units.all())) for c in campaigns]


def _ancestor_paths(path: str | None) -> set[str]:
    if not path:
        return set()
    parts = path.split(UNIT_SEPARATOR)
    return {UNIT_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))}


def campaigns_not_shared(
    people: list, campaigns: list[tuple[Campaign, frozenset[str]]], shared: set[tuple[int, int]]
) -> dict[int, list[Campaign]]:
    """For each person (with ``unit_path``): the open campaigns meant for them that they
    have not shared; people with none are left out. Pure: no queries."""
    result: dict[int, list[Campaign]] = {}
    for person in people:
        mine = _ancestor_paths(person.unit_path)
        todo = [
            campaign
            for campaign, paths in campaigns
            if (not paths or paths & mine) and (person.pk, campaign.pk) not in shared
        ]
        if todo:
            result[person.pk] = todo
    return result


def digest_context(campaigns: list[Campaign]) -> dict:
    """The digest's words and links (call in the person's language)."""
    new_share = absolute(reverse("campaigns:share_create"))
    return {
        "campaigns": [
            {
                "title": c.title,
                "ends_on": date_format(c.ends_on, "DATE_FORMAT"),
                "share_url": f"{new_share}?campaign={c.pk}",
            }
            for c in campaigns
        ],
        "count": len(campaigns),
        "campaigns_url": absolute(reverse("campaigns:campaign_list")),
        "help_url": absolute(reverse("campaigns:bookmarklet")),
    }


def _digest_message(person, campaigns: list[Campaign]):
    with translation.override(language_of(person)):
        context = digest_context(campaigns)
    return build_message(
        user=person, kind=NotificationKind.WEEKLY_DIGEST, template="weekly_digest", context=context
    )


def send_digest_batch(
    *, week: str, first_pk: int, end_pk: int, today: datetime.date | None = None
) -> int:
    """The staff digest for the people with ``first_pk <= pk < end_pk``; how many went.
    A fixed number of queries: the campaigns and their units, the people, their shares of those
    campaigns, the claim and its read-back."""
    today = today or timezone.localdate()
    campaigns = open_campaigns(today)
    if not campaigns:
        return 0
    people = list(
        _recipients(first_pk, end_pk, NotificationKind.WEEKLY_DIGEST, week)
        .annotate(unit_path=F("unit__path"))
        .only("pk", "email", "full_name", "staff_id", "language", "role")
        .order_by("pk")
    )
    if not people:
        return 0
    shared = set(
        Share.objects.filter(
            staff_id__gte=first_pk,
            staff_id__lt=end_pk,
            campaign_id__in=[c.pk for c, _paths in campaigns],
        )
        .values_list("staff_id", "campaign_id")
        .distinct()
    )
    todo = campaigns_not_shared(people, campaigns, shared)
    return send_once(
        Pending(
            user_id=person.pk,
            kind=NotificationKind.WEEKLY_DIGEST,
            key=week,
            build=lambda person=person: _digest_message(person, todo[person.pk]),
        )
        for person in people
        if person.pk in todo
    )


# --- managers: the team summary ------------------------------------------------------------


def team_summary(manager, since: datetime.datetime) -> dict:
    """The numbers and names of one manager's team (their unit and every unit below),
    since ``since``: two queries."""
    team = (
        User.objects.filter(is_active=True)
        .filter(unit_scope_q(manager.unit))
        .exclude(pk=manager.pk)
    )
    shared_this_week = Exists(Share.objects.filter(staff=OuterRef("pk"), submitted_at__gte=since))
    counts = team.aggregate(people=Count("pk"), shared=Count("pk", filter=Q(shared_this_week)))
    missing = list(
        team.exclude(shared_this_week)
        .order_by("unit__path", "full_name", "staff_id")
        .values_list("full_name", "staff_id", "unit__path")[:TEAM_LIST_LIMIT]
    )
    not_shared = counts["people"] - counts["shared"]
    return {
        "people": counts["people"],
        "shared": counts["shared"],
        "not_shared": not_shared,
        "percent": round(100 * counts["shared"] / counts["people"]) if counts["people"] else 0,
        "missing": [
            {"name": name or staff_id, "staff_id": staff_id, "unit": unit}
            for name, staff_id, unit in missing
        ],
        "more": max(0, not_shared - len(missing)),
    }


def _team_message(manager, summary: dict):
    with translation.override(language_of(manager)):
        context = {
            **summary,
            "unit": manager.unit.path,
            "report_url": absolute(f"{reverse('scoring:kpi_report')}?unit={manager.unit_id}"),
            "dashboard_url": absolute(reverse("dashboard:dashboard")),
        }
    return build_message(
        user=manager, kind=NotificationKind.TEAM_SUMMARY, template="team_summary", context=context
    )


def send_team_summary_batch(
    *, week: str, first_pk: int, end_pk: int, today: datetime.date | None = None
) -> int:
    """The team summary for the managers with ``first_pk <= pk < end_pk``."""
    since = week_start(today or timezone.localdate())
    managers = list(
        _recipients(first_pk, end_pk, NotificationKind.TEAM_SUMMARY, week)
        .filter(role=Role.MANAGER, unit__isnull=False)
        .select_related("unit")
        .order_by("pk")
    )
    summaries = {m.pk: team_summary(m, since) for m in managers}
    return send_once(
        Pending(
            user_id=m.pk,
            kind=NotificationKind.TEAM_SUMMARY,
            key=week,
            build=lambda m=m: _team_message(m, summaries[m.pk]),
        )
        for m in managers
        if summaries[m.pk]["people"]
    )
