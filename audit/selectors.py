"""Reading the audit log: filtered entries, the head, and the chain check.

Only HR admins read the log; the views and the API check that before calling
these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils import timezone

from .chain import GENESIS_HASH
from .models import AuditEntry, AuditHead


def entries(filters: Mapping[str, Any] | None = None) -> QuerySet[AuditEntry]:
    """Entries matching ``filters``, newest first.

    Keys (all optional, empty values ignored): ``action`` (exact),
    ``actor`` (a staff ID as recorded, any case, or a user id), ``object_type``
    (e.g. ``campaigns.share``), ``object_id``, ``since`` and ``until``
    (dates, inclusive, in the organisation's time zone)."""
    filters = filters or {}
    found = AuditEntry.objects.all()
    if action := filters.get("action"):
        found = found.filter(action=action)
    if actor := str(filters.get("actor") or "").strip():
        match = Q(actor_label__iexact=actor)
        if actor.isascii() and actor.isdigit():
            match |= Q(actor_id=int(actor))
        found = found.filter(match)
    if object_type := str(filters.get("object_type") or "").strip():
        found = found.filter(object_type=object_type.lower())
    if object_id := str(filters.get("object_id") or "").strip():
        found = found.filter(object_id=object_id)
    if since := filters.get("since"):
        found = found.filter(at__gte=start_of_local_day(since))
    if until := filters.get("until"):
        found = found.filter(at__lt=start_of_local_day(until + datetime.timedelta(days=1)))
    return found.order_by("-seq")


def start_of_local_day(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the organisation's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def actions_present() -> list[str]:
    """Every action the log holds, for the page's action filter."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


class Head(NamedTuple):
    count: int
    hash: str


def head() -> Head:
    """(number of entries, hash of the last one): what HR notes outside the system."""
    row = AuditHead.objects.filter(pk=1).first()
    if row is not None:
        return Head(row.seq, row.hash)
    last = AuditEntry.objects.order_by("-seq").only("seq", "hash").first()
    return Head(last.seq, last.hash) if last else Head(0, GENESIS_HASH)


@dataclass(frozen=True)
class ChainReport:
    """What ``verify_chain`` found. ``problem`` is None when the chain is intact;
    otherwise it names the first entry that is wrong (``seq``, and ``entry_id``
    when the row exists)."""

    count: int
    head_hash: str
    problem: str | None = None
    seq: int | None = None
    entry_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(*, batch_size: int = 1000) -> ChainReport:
    """Walk every entry in seq order, in batches, and report the first problem.

    An entry whose content no longer gives its hash was edited; a gap in seq
    is a deleted entry; an entry whose prev_hash is not the previous entry's
    hash was inserted out of order (or moved: a changed seq also breaks the
    link). The head row must match the last entry, which catches the last
    entries being deleted and entries appended behind ``record``'s back.

    Safe to run while the app writes: the head is read after the walk, and an
    append commits its entry and the head together, so the head then covers
    at least every entry walked; entries appended meanwhile are walked too."""
    expected_seq, prev_hash, last = 1, GENESIS_HASH, None
    while True:
        for entry in _entries_after(last.seq if last else None, batch_size):
            if entry.seq > expected_seq:
                return _broken(f"entry #{expected_seq} is missing: deleted", seq=expected_seq)
            problem = _link_problem(entry, expected_seq, prev_hash)
            if problem:
                return _broken(problem, seq=entry.seq, entry=entry)
            expected_seq, prev_hash, last = entry.seq + 1, entry.hash, entry
        head_row = AuditHead.objects.filter(pk=1).first()
        last_seq = last.seq if last else 0
        if (
            head_row is not None
            and head_row.seq > last_seq
            and AuditEntry.objects.filter(seq__gt=last_seq).exists()
        ):
            continue  # appended while we walked
        break

    if head_row is None:
        if last is not None:
            return _broken("the audit head row is missing: deleted", seq=last_seq)
        return ChainReport(count=0, head_hash=GENESIS_HASH)
    if head_row.seq > last_seq:
        return _broken(
            f"entry #{last_seq + 1} is missing: deleted "
            f"(the head says the log has {head_row.seq} entries, it has {last_seq})",
            seq=last_seq + 1,
        )
    if head_row.seq < last_seq:
        extra = AuditEntry.objects.get(seq=head_row.seq + 1)
        return _broken(
            f"entry #{extra.seq} (id {extra.pk}) does not follow the head #{head_row.seq}: "
            f"inserted out of order",
            seq=extra.seq,
            entry=extra,
        )
    if head_row.hash != prev_hash:
        if last is None:
            return _broken("the audit head row was edited: the log is empty", seq=0)
        return _broken(
            f"entry #{last.seq} (id {last.pk}) was edited: its hash does not match the head",
            seq=last.seq,
            entry=last,
        )
    return ChainReport(count=last_seq, head_hash=head_row.hash)


def _entries_after(seq: int | None, batch_size: int) -> Iterator[AuditEntry]:
    """Entries after ``seq`` (None: all), in seq order, one query per batch."""
    by_seq = AuditEntry.objects.order_by("seq")
    while True:
        batch = list((by_seq if seq is None else by_seq.filter(seq__gt=seq))[:batch_size])
        if not batch:
            return
        yield from batch
        seq = batch[-1].seq


def _link_problem(entry: AuditEntry, expected_seq: int, prev_hash: str) -> str | None:
    """What is wrong with ``entry``, found where entry #expected_seq (at most) should
    follow ``prev_hash``; None when it fits."""
    if entry.seq < expected_seq:
        return (
            f"entry #{entry.seq} (id {entry.pk}) has no place in the log "
            f"(numbers start at 1): inserted out of order"
        )
    if entry.prev_hash != prev_hash:
        follows = f"#{expected_seq - 1}" if expected_seq > 1 else "the start of the log"
        return (
            f"entry #{entry.seq} (id {entry.pk}) does not follow {follows}: inserted out of order"
        )
    if entry.expected_hash() != entry.hash:
        return f"entry #{entry.seq} (id {entry.pk}) was edited: its hash does not match its content"
    return None


def _broken(problem: str, *, seq: int, entry: AuditEntry | None = None) -> ChainReport:
    current = head()
    return ChainReport(
        count=AuditEntry.objects.count(),
        head_hash=current.hash,
        problem=problem,
        seq=seq,
        entry_id=entry.pk if entry else None,
    )
