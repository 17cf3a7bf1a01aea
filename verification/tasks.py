"""Celery tasks of verification: thin wrappers around verification.services.

verify_share (one share) and verify_shares (the first try of several newly logged
shares, sent together by the web processes: verification.batching) are acknowledged
late and re-queued when their worker dies (acks_late + reject_on_worker_lost), so a
crash never loses a share; the task id recorded on each attempt keeps a redelivered
message from recording twice. Temporary failures retry with exponential backoff and
full jitter, never sooner than a platform's Retry-After (capped at
SHAREKPI_VERIFY_RETRY_MAX_DELAY); our own per-host rate limit re-queues the task with
a short countdown, without using up a retry. A database that cannot be reached
(PostgreSQL restarting, a failover) is retried too, with its own shorter backoff
(SHAREKPI_VERIFY_DB_RETRY_BACKOFF, up to SHAREKPI_VERIFY_DB_MAX_RETRIES tries),
instead of failing the task and waiting for the pending sweep.
"""

from __future__ import annotations

import random

from celery import shared_task
from celery.exceptions import Retry
from celery.signals import worker_init
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection

from . import proofs, retention
from . import services as verification

MAX_RETRIES = int(getattr(settings, "SHAREKPI_VERIFY_MAX_RETRIES", 5))
RETRY_BACKOFF = int(getattr(settings, "SHAREKPI_VERIFY_RETRY_BACKOFF", 30))
RETRY_MAX_DELAY = verification.retry_max_delay()
# The database unreachable (OperationalError, InterfaceError: a lost connection, a
# server restarting). Not IntegrityError or ProgrammingError: those are bugs, not outages.
DATABASE_DOWN = (OperationalError, InterfaceError)
DB_MAX_RETRIES = int(getattr(settings, "SHAREKPI_VERIFY_DB_MAX_RETRIES", 10))
DB_RETRY_BACKOFF = float(getattr(settings, "SHAREKPI_VERIFY_DB_RETRY_BACKOFF", 2))
DB_RETRY_MAX_DELAY = float(getattr(settings, "SHAREKPI_VERIFY_DB_RETRY_MAX_DELAY", 60))


def _retry_database(task, exc: Exception, args: tuple | None = None) -> Retry:
    """Retry a task whose database went away: drop the broken connection, come back
    after an exponential backoff with full jitter (2, 4, 8 … s, at most
    SHAREKPI_VERIFY_DB_RETRY_MAX_DELAY). The message stays unacknowledged until the
    retry is queued, and the sweep is still there if even the broker is gone."""
    if not connection.in_atomic_block:  # never under a caller's transaction (eager, tests)
        close_old_connections()
    ceiling = min(DB_RETRY_BACKOFF * (2**task.request.retries), DB_RETRY_MAX_DELAY)
    countdown = random.uniform(ceiling / 2, ceiling)
    return task.retry(
        args=args,
        exc=exc,
        countdown=countdown,
        max_retries=max(DB_MAX_RETRIES, task.max_retries),
    )


@worker_init.connect(dispatch_uid="verification.group_commit")
def group_commit_in_thread_pools(sender=None, **kwargs) -> None:
    """A worker on the thread pool (``--pool=threads``: the verification workers, dozens
    of fetches in flight) writes its tasks' decisions in shared transactions
    (verification.group_commit). SHAREKPI_VERIFY_GROUP_COMMIT=off turns it off."""
    pool = getattr(sender, "pool_cls", "")
    name = pool if isinstance(pool, str) else f"{pool.__module__}.{pool.__qualname__}"
    if settings.SHAREKPI_VERIFY_GROUP_COMMIT and "thread" in name.lower():
        verification.use_group_commit(True)


def _defer(task, countdown: float) -> Retry:
    """Send this very message again in ``countdown`` seconds, keeping its retry count."""
    signature = task.signature_from_request(task.request, countdown=countdown)
    if not task.request.is_eager:
        signature.apply_async()
    return Retry(f"rate limited, back in {countdown:.1f} s", when=countdown, sig=signature)


def _temporary_countdown(exc: verification.TemporaryFailure, retries: int) -> float:
    """When to try again after ``exc`` on try ``retries + 1``: exponential backoff with
    full jitter (as Celery's autoretry computes it), never sooner than the platform's
    Retry-After, at most SHAREKPI_VERIFY_RETRY_MAX_DELAY."""
    if not exc.retry_after:
        return get_exponential_backoff_interval(
            factor=RETRY_BACKOFF, retries=retries, maximum=RETRY_MAX_DELAY, full_jitter=True
        )
    backoff = get_exponential_backoff_interval(
        factor=RETRY_BACKOFF, retries=retries, maximum=RETRY_MAX_DELAY
    )
    countdown = min(max(exc.retry_after, backoff), RETRY_MAX_DELAY)
    return countdown + random.uniform(0, min(countdown / 10, 30))  # don't all come back at once


def _run(task, share_id: int, recheck: bool = False) -> None:
    verification.run(
        share_id=share_id,
        task_id=task.request.id or "",
        tries=task.request.retries + 1,
        max_tries=task.max_retries + 1,
        recheck=recheck,
    )


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(verification.TemporaryFailure,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_MAX_DELAY,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def verify_share(self, share_id: int, recheck: bool = False) -> None:
    try:
        _run(self, share_id, recheck)
    except verification.RateLimited as exc:
        raise _defer(self, exc.retry_after) from exc
    except DATABASE_DOWN as exc:
        raise _retry_database(self, exc) from exc
    except verification.TemporaryFailure as exc:
        if not exc.retry_after:
            raise  # autoretry_for: exponential backoff with jitter
        raise self.retry(
            exc=exc, countdown=_temporary_countdown(exc, self.request.retries)
        ) from exc


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=MAX_RETRIES,
)
def verify_shares(self, share_ids: list[int]) -> None:
    """The first try of several newly logged shares, one after the other (the web
    processes send them together, verification.batching). What ``verify_share`` would
    retry goes on as a ``verify_share`` message of its own: a share rate limited by us
    comes back in a moment, one that failed for a while on its next try's backoff. The
    message is acknowledged when all are done; redelivered after a crash, the shares
    whose attempt this task id recorded are skipped (``verification.run``)."""
    for done, share_id in enumerate(share_ids):
        try:
            _run(self, share_id)
        except verification.RateLimited as exc:
            verify_share.apply_async(
                args=(share_id,), countdown=exc.retry_after, retries=self.request.retries
            )
        except DATABASE_DOWN as exc:
            # This one and those after it again later (same task id, so a share whose
            # attempt was recorded after all is skipped).
            raise _retry_database(self, exc, args=(share_ids[done:],)) from exc
        except verification.TemporaryFailure as exc:
            verify_share.apply_async(
                args=(share_id,),
                countdown=_temporary_countdown(exc, self.request.retries),
                retries=self.request.retries + 1,
            )


@shared_task(ignore_result=True)
def sweep_pending() -> int:
    """Re-queue shares left pending longer than SHAREKPI_PENDING_SWEEP_MINUTES."""
    return verification.sweep_pending()


@shared_task(ignore_result=True)
def recheck_verified() -> int:
    """Queue the next batch of verified shares of the open KPI year for a re-check."""
    return verification.queue_rechecks()


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=3,
)
def check_account_proof(self, account_id: int) -> None:
    """Look for the owner's code in an account's bio (sent by name by accounts.services)."""
    try:
        proofs.check(account_id, last_try=self.request.retries >= self.max_retries)
    except verification.RateLimited as exc:
        raise _defer(self, exc.retry_after) from exc
    except DATABASE_DOWN as exc:
        raise _retry_database(self, exc) from exc
    except verification.TemporaryFailure as exc:
        backoff = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF, retries=self.request.retries, maximum=RETRY_MAX_DELAY
        )
        countdown = min(max(exc.retry_after or 0, backoff), RETRY_MAX_DELAY)
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(ignore_result=True)
def purge_expired() -> int:
    """Daily: purge screenshots and attempt details whose retention has run out."""
    return sum(report.total for report in retention.purge_expired())
