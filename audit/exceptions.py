"""Errors the audit log raises. Kept free of model imports so ``audit`` can
re-export them at package import time, before the app registry is ready."""

from __future__ import annotations


class AuditError(Exception):
    """Base class of the audit log's errors."""


class AuditOutsideTransaction(AuditError, RuntimeError):
    """``audit.record`` was called outside a transaction.

    An entry must commit or roll back with the change it describes, so the
    caller's service has to be ``@transaction.atomic`` (or wrap the change and
    the record in ``with transaction.atomic():``).
    """


class AppendOnlyError(AuditError):
    """Something tried to change or remove an audit entry. Entries are append-only."""
