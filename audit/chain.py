"""The hash chain: what an entry's hash covers, computed in one place.

``record`` uses it to seal a new entry and ``verify_chain`` to re-check every
stored one, so the two can never disagree about the recipe:

    sha256_hex( canonical_json({seq, at, actor_id, actor_label, action,
                                object_type, object_id, before, after})
                + prev_hash )

Canonical JSON is ``sort_keys=True, separators=(",", ":"), ensure_ascii=False``;
``at`` is ISO 8601 in UTC with microseconds. The first entry's ``prev_hash``
is 64 zeros (``GENESIS_HASH``).

What is hashed must be exactly what the database hands back later, or the
verifier reports edits nobody made. ``json_value`` therefore normalises
before/after once, before they are hashed and stored: dates, datetimes,
Decimals and UUIDs become strings (DjangoJSONEncoder), dict keys become
strings, and whole-number floats become ints (PostgreSQL's jsonb prints
``1e16`` back as ``10000000000000000`` and ``-0.0`` as ``0``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def json_value(value: Any) -> Any:
    """``value`` as it will read back from a JSONField on SQLite and PostgreSQL."""
    if value is None:
        return None
    try:
        text = json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"audit before/after must be JSON values (dicts, lists, strings, numbers, "
            f"dates, Decimals): {exc}"
        ) from exc
    return _whole_floats_as_ints(json.loads(text))


def _whole_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _whole_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_floats_as_ints(item) for item in value]
    return value


def utc_iso(at: datetime.datetime) -> str:
    """``at`` as ISO 8601 in UTC with microseconds, e.g. 2025-03-01T02:03:04.000005+00:00."""
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    *,
    seq: int,
    at: datetime.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    """The hash that seals one entry's content onto the previous entry's hash."""
    content = {
        "seq": seq,
        "at": utc_iso(at),
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
    }
    return hashlib.sha256((canonical_json(content) + prev_hash).encode("utf-8")).hexdigest()
