"""The audit log: one append-only, hash-chained table every app writes to.

``AuditEntry`` rows are written only by ``audit.record`` / ``audit.record_many``
and never change afterwards: ``save()`` refuses to update a stored row, and
``delete()``, ``QuerySet.update()`` and ``QuerySet.delete()`` refuse outright.
The database refuses too (triggers from migration 0001), so raw SQL cannot
quietly rewrite history; someone who disables the triggers is caught by
``verify_audit``, which recomputes the chain.

``AuditHead`` is a single row (id 1) holding the last entry's seq and hash.
Appends lock it (``select_for_update``), which serialises writers and makes
``seq`` contiguous: 1, 2, 3, ... with no gaps, so a gap means a deleted entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .chain import GENESIS_HASH, entry_hash
from .exceptions import AppendOnlyError

APPEND_ONLY = (
    "audit entries are append-only: {what} is refused. (Deleting a user who appears "
    "in the audit log is refused too: deactivate them instead.)"
)


class AuditEntryQuerySet(models.QuerySet):
    """Refuses to update or delete entries. A query that matches none is let
    through as the no-op it is: deleting a user makes Django's collector run
    ``AuditEntry.objects.filter(actor__in=...).update(actor=None)`` whether or
    not they appear in the log, and someone who never did anything audited
    may be deleted."""

    def update(self, **kwargs):
        if self.exists():
            raise AppendOnlyError(APPEND_ONLY.format(what="QuerySet.update()"))
        return 0

    def delete(self):
        if self.exists():
            raise AppendOnlyError(APPEND_ONLY.format(what="QuerySet.delete()"))
        return 0, {}

    delete.queryset_only = True


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(_("number"), unique=True, editable=False)
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        # Who decided stays part of the record (and of its hash): someone who appears in
        # the log cannot be deleted, only deactivated.
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # indexed below with seq, for "this person's entries, newest first"
    )
    actor_label = models.CharField(
        _("who (as recorded)"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("The actor's staff ID when the entry was written; empty for the system."),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True, editable=False)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, editable=False)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True, editable=False)
    before = models.JSONField(_("before"), null=True, blank=True, editable=False)
    after = models.JSONField(_("after"), null=True, blank=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        # Django's deletion collector and related lookups use the base manager:
        # make it ours so they meet the same refusals.
        base_manager_name = "objects"
        indexes = [
            models.Index(fields=["actor", "seq"], name="audit_entry_actor"),
            models.Index(fields=["actor_label", "seq"], name="audit_entry_actor_label"),
            models.Index(fields=["object_type", "object_id", "seq"], name="audit_entry_object"),
            models.Index(fields=["at"], name="audit_entry_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update"):
            raise AppendOnlyError(APPEND_ONLY.format(what="changing a stored entry"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(APPEND_ONLY.format(what="deleting an entry"))

    def expected_hash(self) -> str:
        """The hash this entry's stored content and prev_hash should have."""
        return entry_hash(
            seq=self.seq,
            at=self.at,
            actor_id=self.actor_id,
            actor_label=self.actor_label,
            action=self.action,
            object_type=self.object_type,
            object_id=self.object_id,
            before=self.before,
            after=self.after,
            prev_hash=self.prev_hash,
        )


class AuditHead(models.Model):
    """The chain's head: the last entry's seq (= the number of entries) and hash.

    One row, id 1, created on the first append. Every append locks it first."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"
