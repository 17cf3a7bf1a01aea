"""How an entry's before → after reads on the audit page: compact, one line per change."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_VALUE_CHARS = 120


@dataclass(frozen=True)
class Change:
    field: str  # "" when before/after are not both objects
    before: str
    after: str


def compact(value: Any) -> str:
    if value is None:
        return "—"
    text = (
        value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    )
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def changes(before: Any, after: Any) -> list[Change]:
    """The keys that differ when both sides are objects (or appear on one side only);
    otherwise the two values whole."""
    if before is None and after is None:
        return []
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        before, after = before or {}, after or {}
        missing = object()
        return [
            Change(key, compact(before.get(key)), compact(after.get(key)))
            for key in sorted(set(before) | set(after))
            if before.get(key, missing) != after.get(key, missing)
        ]
    return [Change("", compact(before), compact(after))]
