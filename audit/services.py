"""Writing to the audit log: the one door every app goes through.

Call ``record`` inside the transaction of the change it describes, so the
entry commits or rolls back with it:

    @transaction.atomic
    def decide_appeal(*, appeal, actor, decision, reason):
        before = {"status": appeal.status}
        ...
        audit.record(actor=actor, action="appeal.decided", obj=appeal,
                     before=before, after={"status": appeal.status, "reason": reason})

Actions are ``<thing>.<past-tense verb>`` in lower case: ``review.decided``,
``policy.changed``, ``scheme.edited``, ``year.closed``, ``campaign.created``,
``staff.imported``, ``leaderboard.switched``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, entry_hash, json_value
from .exceptions import AuditError, AuditOutsideTransaction
from .models import AuditEntry, AuditHead

ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
ENTRY_KEYS = frozenset({"actor", "action", "obj", "object_type", "object_id", "before", "after"})


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry: ``actor`` (a user, or None for the system) did ``action``
    to ``obj`` (or to ``object_type``/``object_id`` when there is no model
    instance), changing it from ``before`` to ``after`` (JSON values)."""
    return record_many(
        [
            {
                "actor": actor,
                "action": action,
                "obj": obj,
                "object_type": object_type,
                "object_id": object_id,
                "before": before,
                "after": after,
            }
        ]
    )[0]


def record_many(entries: Iterable[Mapping[str, Any]]) -> list[AuditEntry]:
    """Append several entries under one lock with one INSERT (bulk decisions).

    Each item takes ``record``'s keyword arguments; ``actor`` and ``action`` are
    required. Returns the entries in the order given, with seq and hash set."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction(
            "audit.record() must run inside the transaction of the change it records "
            "(make the calling service @transaction.atomic), so that a rolled-back "
            "change leaves no audit entry."
        )
    prepared = [_prepare(item) for item in entries]
    if not prepared:
        return []

    head = _locked_head()
    at = timezone.now()  # taken under the lock: `at` never goes backwards along the chain
    seq, prev_hash = head.seq, head.hash
    rows = []
    for fields in prepared:
        seq += 1
        digest = entry_hash(seq=seq, at=at, prev_hash=prev_hash, **fields)
        rows.append(AuditEntry(seq=seq, at=at, prev_hash=prev_hash, hash=digest, **fields))
        prev_hash = digest
    created = AuditEntry.objects.bulk_create(rows)
    AuditHead.objects.filter(pk=head.pk).update(seq=seq, hash=prev_hash)
    return created


def _locked_head() -> AuditHead:
    """The head row, locked until the caller's transaction ends.

    It is created on the first append (and again after a test run truncates
    the tables); if entries exist without it, someone removed it, and writing
    on would hide that."""
    head, created = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    if created and AuditEntry.objects.exists():
        raise AuditError(
            "the audit log's head row is missing while entries exist; "
            "run `manage.py verify_audit` and restore it before writing on."
        )
    return head


def _prepare(item: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(item) - ENTRY_KEYS
    if unknown:
        raise TypeError(f"unknown audit entry keys: {sorted(unknown)}")
    if "actor" not in item or "action" not in item:
        raise TypeError("an audit entry needs actor (a user, or None for the system) and action")
    action = item["action"]
    if not isinstance(action, str) or not ACTION_PATTERN.match(action):
        raise ValueError(
            f"audit action {action!r} must be dotted lower case, like 'review.decided'"
        )
    actor_id, actor_label = _actor(item["actor"])
    object_type, object_id = _object(
        item.get("obj"), item.get("object_type"), item.get("object_id")
    )
    for name, value in (("action", action), ("object_type", object_type), ("object_id", object_id)):
        limit = AuditEntry._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValueError(f"audit {name} is longer than {limit} characters: {value[:80]!r}")
    return {
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        # As they will read back from the database, so what is hashed is what is stored.
        "before": json_value(item.get("before")),
        "after": json_value(item.get("after")),
    }


def _actor(actor) -> tuple[Any, str]:
    if actor is None:
        return None, ""
    if getattr(actor, "pk", None) is None or not getattr(actor, "is_authenticated", False):
        raise ValueError("audit actor must be a saved user, or None for the system")
    return actor.pk, actor.get_username()


def _object(obj, object_type, object_id) -> tuple[str, str]:
    if obj is not None:
        if object_type is not None or object_id is not None:
            raise TypeError("give obj, or object_type and object_id, not both")
        if obj.pk is None:
            raise ValueError("audit obj must be saved first (it has no primary key)")
        return obj._meta.label_lower, str(obj.pk)
    return (object_type or ""), ("" if object_id is None else str(object_id))
