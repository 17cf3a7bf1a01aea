"""The one append-only, hash-chained audit log (DESIGN.md, "Records and personal data").

Every app records its decisions here, inside the transaction of the change::

    import audit

    audit.record(actor=request.user, action="review.decided", obj=share,
                 before={"status": "needs_review"}, after={"status": "verified"})

audit imports no other project app. The functions below import the services
when called, because models cannot be imported while the app registry loads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import AppendOnlyError, AuditError, AuditOutsideTransaction

if TYPE_CHECKING:
    from .models import AuditEntry
    from .selectors import ChainReport

__all__ = [
    "AppendOnlyError",
    "AuditError",
    "AuditOutsideTransaction",
    "record",
    "record_many",
    "verify_chain",
]


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry (see ``audit.services.record``). Must run inside a transaction."""
    from . import services

    return services.record(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )


def record_many(entries: list[dict[str, Any]]) -> list[AuditEntry]:
    """Append several entries under one lock, in one INSERT (see ``audit.services.record_many``)."""
    from . import services

    return services.record_many(entries)


def verify_chain(*, batch_size: int = 1000) -> ChainReport:
    """Recompute the whole chain and report the first problem (see ``audit.selectors``)."""
    from . import selectors

    return selectors.verify_chain(batch_size=batch_size)
