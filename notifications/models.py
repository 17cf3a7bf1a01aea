"""Who wants which e-mail, and which e-mails went out.

* ``NotificationOptOut``: a person turned one kind off (every kind is on until then),
  on /me/notifications/ or with the unsubscribe link of one of its e-mails.
* ``NotificationSent``: the sent-log. One row per person, kind and ``key`` (the ISO
  week for the weekly kinds, the share's status change or the appeal for the others),
  unique: a re-run, a retried task or a second worker finds the row and sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    SHARE_STATUS = "share_status", _("A share of mine needs something from me")
    APPEAL_DECIDED = "appeal_decided", _("An appeal of mine was decided")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly: campaigns I have not shared yet")
    TEAM_SUMMARY = "team_summary", _("Weekly: my team's summary (managers)")


class NotificationOptOut(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_opt_outs",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    created_at = models.DateTimeField(_("turned off at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification turned off")
        verbose_name_plural = _("notifications turned off")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_optout_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} off"


class NotificationSent(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications_sent",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=NotificationKind.choices)
    # "2026-W49" for the weekly kinds; "share:<id>:<status>:<changed at>", "appeal:<id>".
    key = models.CharField(_("key"), max_length=120)
    # Which run wrote the row: that run, and only that one, sends the e-mail.
    claim = models.CharField(_("claim"), max_length=32, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="notification_sent_once")
        ]
        # A week's rows of one id range (the digest batches), whatever the statistics.
        indexes = [models.Index(fields=["kind", "key", "user"], name="notification_sent_week_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind} {self.key}"
