"""Verifying a share: the rules between "logged" and "verified".

``run(share_id=..., task_id=...)`` is what the verify task calls. It works in
three steps so that no row lock is held while we wait for a platform:

1. read the share; stop if it is no longer pending (verified, for a re-check)
   or if this task id already recorded a final attempt (a message redelivered
   after a worker crash: it must not ask the platform again);
2. assess it, without writing: the structural check (parse again), short-link
   expansion and duplicate check, then the platform's policy (evidence /
   sample / review, see verification.policies) with the evidence of
   verification.verifiers;
3. lock the share (select_for_update), check step 1 again, record exactly one
   VerificationAttempt and change the status through campaign_services.change_share_status.

A worker verifies many shares a second, so the statements are few: step 1
is one query reading the share, its staff member's name, the platform's
policy row (read fresh every time, not cached: an HR change applies to the
next verification), the staff member's registered accounts on that platform
(handed to the verifiers with ``verifiers.remember_accounts``) and whether
this task id has a final attempt; step 3 is one query locking the share and
checking for the final attempt again, then the attempt's INSERT and the
share's UPDATE. The check of step 1 is only an early-out that spares the
platform a second request; the one in step 3, under the row lock, is what
makes a redelivered or concurrent message record nothing twice. A message
redelivered after a crash in the middle of step 2 has no final attempt yet,
so it asks the platform again, as it always has. tests/verification/
test_verification.py pins the number of statements.

Step 3 goes through ``commit_many``: on a worker with a thread pool many runs hand
their decisions to one committer thread, which writes whatever has queued up in one
transaction (verification.group_commit); the run waits for its commit before its task
acknowledges the message. Elsewhere (tests, eager tasks) each run commits its own.

Temporary failures (time-outs, 429 with Retry-After, 5xx) record a "retry"
attempt and raise ``TemporaryFailure``, which the task turns into a retry with
exponential backoff and jitter; the last try ends in needs_review ("could not
reach X after 6 tries"). Our own per-host rate limit raises ``RateLimited``:
the task comes back a moment later, and no attempt is recorded because no
request was made. A refused URL or an oversized answer goes to review, never
to a silent reject.

With SHAREKPI_VERIFY_NETWORK off only the structural check runs and the
policy decides: evidence → needs_review ("network checks are off"), sample and
review as usual.
"""

from __future__ import annotations

import datetime
import functools
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import SocialAccount
from campaigns import kpi_year, platforms
from campaigns import selectors as campaign_selectors
from campaigns import services as campaign_services
from campaigns.models import Share, ShareStatus
from campaigns.reasons import Coded, Reason
from sharekpi import prepared
from sharekpi.celery import app as celery_app

from . import batching, policies, verifiers
from .group_commit import GroupCommitter
from .models import PlatformPolicy, VerificationAttempt, VerificationOutcome, VerificationPolicy
from .ratelimit import RateLimited
from .reasons import coded
from .verifiers import TemporaryFailure

log = logging.getLogger(__name__)

__all__ = ["RateLimited", "TemporaryFailure", "assess", "queue_rechecks", "run", "sweep_pending"]

DUPLICATE_REASON = "duplicate of an already logged post"
NETWORK_OFF = "network verification is off"

_sample_random = random.SystemRandom()


@dataclass(frozen=True)
class Decision:
    """What one verification concluded, before it is written."""

    outcome: str  # VerificationOutcome
    reason: str  # for the attempt (details)
    status: str | None  # the share's new status; None = leave it as it is
    why: Coded | None = None  # what the member of staff reads (verification.reasons)
    http_status: int | None = None
    url_fetched: str = ""
    resolved: platforms.ParsedUrl | None = None  # where a short link led


def _label(platform: str) -> str:
    return platforms.PLATFORM_LABELS.get(platform, platform)


def _needs_review(reason: str, why: Coded, **kwargs) -> Decision:
    return Decision(
        VerificationOutcome.NEEDS_REVIEW, reason, ShareStatus.NEEDS_REVIEW, why, **kwargs
    )


# What the person reads when the evidence does not say more than its outcome.
_EVIDENCE_CODES = {
    verifiers.VERIFIED: "verified.evidence",
    verifiers.GONE: "rejected.gone",
    verifiers.EXISTS: "review.author_unchecked",
    verifiers.INCONCLUSIVE: "review.not_visible",
}


def _from_evidence(evidence: verifiers.Evidence, platform: str) -> Decision:
    """Map a verifier's evidence to a decision under the evidence policy."""
    where = {"http_status": evidence.http_status, "url_fetched": evidence.url_fetched}
    why = evidence.why or coded(_EVIDENCE_CODES[evidence.outcome], platform=platform)
    if evidence.outcome == verifiers.VERIFIED:
        return Decision(
            VerificationOutcome.VERIFIED, evidence.reason, ShareStatus.VERIFIED, why, **where
        )
    if evidence.outcome in (verifiers.REJECTED, verifiers.GONE):
        return Decision(
            VerificationOutcome.REJECTED, evidence.reason, ShareStatus.REJECTED, why, **where
        )
    return _needs_review(evidence.reason, why, **where)


def _sampled(percent: int) -> bool:
    return _sample_random.randrange(100) < percent


def _by_policy(
    share: Share, parsed: platforms.ParsedUrl, policy: policies.EffectivePolicy, *, network: bool
) -> Decision:
    name = _label(share.platform)
    prefix = "" if network else f"{NETWORK_OFF}: structural checks only; "
    platform = share.platform
    if policy.policy == VerificationPolicy.REVIEW:
        return _needs_review(
            f"{prefix}the {name} policy sends every share to review",
            coded("review.policy", platform=platform),
        )
    if policy.policy == VerificationPolicy.SAMPLE:
        if _sampled(policy.sample_percent):
            return _needs_review(
                f"{prefix}structural checks passed; sampled for review "
                f"({policy.sample_percent} % of {name} shares)",
                coded("review.sampled", platform=platform),
            )
        return Decision(
            VerificationOutcome.VERIFIED,
            f"{prefix}structural checks passed; not sampled "
            f"({policy.sample_percent} % of {name} shares go to review)",
            ShareStatus.VERIFIED,
            coded("verified.checks", platform=platform),
        )
    if not network:
        return _needs_review(
            f"{prefix}the {name} policy needs evidence from {name}",
            coded("review.not_checked", platform=platform),
        )
    return _from_evidence(verifiers.verify(share, parsed), platform)


def _author_in_url(share: Share, parsed: platforms.ParsedUrl) -> Decision | None:
    """Where the link itself names its author (facebook vanity paths, x, tiktok, threads,
    linkedin), the author must be the person's registered account on that platform; if
    not, or if they have none, HR looks, whatever the policy (never an automatic reject:
    the handle may simply be out of date). An official account's handle was refused at
    submission already."""
    author = parsed.author_handle
    if not author:
        return None
    handles = [
        handle.lstrip("@") for handle, _url in verifiers.registered_accounts(share, parsed.platform)
    ]
    name = _label(parsed.platform)
    if not handles:
        return _needs_review(
            f"the link names the author @{author}; {share.staff} has no registered {name} "
            "account to compare with",
            coded("review.no_account", platform=parsed.platform, author=author),
        )
    if author.lower() in {handle.lower() for handle in handles}:
        return None
    return _needs_review(
        f"the link names the author @{author}, not the registered {name} account "
        + ", ".join(f"@{handle}" for handle in handles),
        coded(
            "review.author_not_yours", platform=parsed.platform, author=author, handle=handles[0]
        ),
    )


def _duplicate_of(share: Share, normalized_url: str) -> Share | None:
    return Share.objects.filter(normalized_url=normalized_url).exclude(pk=share.pk).first()


def _duplicate(share: Share, other: Share, resolved: platforms.ParsedUrl) -> Decision:
    return Decision(
        VerificationOutcome.REJECTED,
        f"the short link leads to {resolved.normalized_url}, already logged as share "
        f"#{other.pk}: {DUPLICATE_REASON}",
        ShareStatus.REJECTED,
        coded("rejected.duplicate"),
        url_fetched=share.normalized_url,
    )


def _structural(share: Share) -> platforms.ParsedUrl:
    """Parse the share's link again; a link resolved earlier is checked at its post."""
    parsed = platforms.parse(share.url)
    if share.short_url and share.normalized_url != share.short_url:
        parsed = platforms.parse(share.normalized_url)
    return parsed


def assess(share: Share, *, policy: policies.EffectivePolicy | None = None) -> Decision:
    """Decide a pending share (no writes). Raises TemporaryFailure / RateLimited.

    ``policy`` is the platform's policy when the caller already read it."""
    try:
        parsed = _structural(share)
    except platforms.InvalidShareUrl as exc:
        return Decision(
            VerificationOutcome.REJECTED,
            f"structural check failed: {exc}",
            ShareStatus.REJECTED,
            coded("rejected.invalid", error=str(exc)),
        )
    if policy is None:
        policy = policies.policy_for(share.platform)
    network = bool(settings.SHAREKPI_VERIFY_NETWORK)
    if parsed.kind == platforms.SHORT_LINK:
        if not network:
            return _needs_review(
                f"{NETWORK_OFF}: the short link {parsed.normalized_url} cannot be expanded",
                coded("review.short_link", platform=share.platform),
            )
        resolution = verifiers.resolve_short_link(parsed)
        found = resolution.parsed
        if found is None:
            evidence = resolution.evidence
            where = {"http_status": evidence.http_status, "url_fetched": evidence.url_fetched}
            if evidence.outcome == verifiers.GONE:
                return Decision(
                    VerificationOutcome.REJECTED,
                    evidence.reason,
                    ShareStatus.REJECTED,
                    coded("rejected.link_gone", platform=share.platform),
                    **where,
                )
            return _needs_review(
                evidence.reason, coded("review.short_link", platform=share.platform), **where
            )
        if found.platform != share.platform:
            return _needs_review(
                f"the {_label(share.platform)} short link leads to a "
                f"{_label(found.platform)} post ({found.normalized_url})",
                coded("review.short_link_elsewhere", platform=share.platform, other=found.platform),
                url_fetched=parsed.normalized_url,
            )
        official = campaign_selectors.official_match(found)
        if official is not None:
            return Decision(
                VerificationOutcome.REJECTED,
                f"the short link leads to {found.normalized_url}, an official post "
                f"({official[0]}: {official[1]}), not a share of it",
                ShareStatus.REJECTED,
                coded("rejected.official_post"),
                url_fetched=parsed.normalized_url,
            )
        other = _duplicate_of(share, found.normalized_url)
        if other is not None:
            return replace(_duplicate(share, other, found), resolved=found)
        decision = _author_in_url(share, found) or _by_policy(share, found, policy, network=True)
        return replace(
            decision,
            reason=f"the short link leads to {found.normalized_url}; {decision.reason}",
            url_fetched=decision.url_fetched or parsed.normalized_url,
            resolved=found,
        )
    return _author_in_url(share, parsed) or _by_policy(share, parsed, policy, network=network)


def assess_recheck(share: Share) -> Decision:
    """Look at a verified share again; only a post that is definitely gone is removed."""
    keep = VerificationOutcome.VERIFIED
    if not settings.SHAREKPI_VERIFY_NETWORK:
        return Decision(keep, f"re-check skipped: {NETWORK_OFF}", None)
    try:
        parsed = _structural(share)
    except platforms.InvalidShareUrl as exc:
        return Decision(keep, f"re-check skipped: the link no longer parses ({exc})", None)
    if parsed.kind == platforms.SHORT_LINK:
        resolution = verifiers.resolve_short_link(parsed)
        if resolution.parsed is None:
            evidence = resolution.evidence
            return Decision(
                keep,
                f"re-check inconclusive, kept verified: {evidence.reason}",
                None,
                http_status=evidence.http_status,
                url_fetched=evidence.url_fetched,
            )
        parsed = resolution.parsed
    evidence = verifiers.verify(share, parsed)
    where = {"http_status": evidence.http_status, "url_fetched": evidence.url_fetched}
    if evidence.outcome == verifiers.GONE:
        return Decision(
            VerificationOutcome.REMOVED,
            f"re-check: {evidence.reason}",
            ShareStatus.REMOVED,
            coded("removed.gone", platform=share.platform),
            **where,
        )
    return Decision(
        keep, f"re-check ({evidence.outcome}), kept verified: {evidence.reason}", None, **where
    )


# --- running one verification --------------------------------------------------------


# Step 1 and step 3's read are one statement each because each statement costs the
# worker more CPU (Django's cursor wrapper, the driver, the round trip) than the database
# spends on these small joins: reading the share, its staff member, the policy, the
# accounts and the attempts one query at a time made 10 statements a verification
# instead of 6, and about 9 ms of CPU instead of under 3. They are written in SQL because
# the ORM's single statement (select_related, a Subquery per policy column as the policy
# is not a relation, Exists, a FilteredRelation for the accounts) costs 2.5-3 ms of CPU
# per share to build and compile, against 0.4 ms for the SQL below, run and mapped (the
# lock: 1.5-2 ms against 0.5). The SQL is built once per database from the models'
# metadata; Share.objects.raw maps the share's columns onto Share and leaves the extra
# columns (``v_*``) on each instance as attributes. On PostgreSQL both are prepared once
# per connection (sharekpi.prepared): planning them cost the database several times
# what running them does. The share's UPDATE stays in campaign_services; the attempts
# are written with bulk_create.

# Step 1: the share, its staff member, the platform's policy (NULL: HR has not set one)
# and the staff member's accounts on that platform: one row per account, at least one.
_LOAD_SQL = """
    SELECT {share_columns}, u.{user.full_name} AS v_staff_name, u.{user.staff_id} AS v_staff_code,
        p.{policy.policy} AS v_policy, p.{policy.sample_percent} AS v_sample_percent,
        a.{account.handle} AS v_handle, a.{account.profile_url} AS v_profile_url{done}
    FROM {share} s
    INNER JOIN {user} u ON u.{user.pk} = s.{share.staff}
    LEFT OUTER JOIN {policy} p ON p.{policy.platform} = s.{share.platform}
    LEFT OUTER JOIN {account} a
        ON a.{account.user} = s.{share.staff} AND a.{account.platform} = s.{share.platform}
    WHERE s.{share.pk} = %s
    ORDER BY a.{account.pk}
"""
# Step 3: the share, locked (in the caller's transaction).
_LOCK_SQL = "SELECT {share_columns}{done} FROM {share} s WHERE s.{share.pk} = %s {for_update}"
# With a task id, both also say whether it recorded a final attempt (parameters, before
# the share's pk: the task id, VerificationOutcome.RETRY).
_DONE_SQL = """, EXISTS (SELECT 1 FROM {attempt} t WHERE t.{attempt.share} = s.{share.pk}
        AND t.{attempt.task_id} = %s AND t.{attempt.outcome} <> %s) AS v_done
"""
# Step 3 of a whole group on PostgreSQL: every share of the group locked in one statement,
# in share order (as one at a time would), each with the final-attempt check of its own
# task id (none for an empty one). Parameters: the shares' pks, their task ids,
# VerificationOutcome.RETRY. The check is a LATERAL subquery with a LIMIT, looked up by
# index for each share: as an EXISTS over several rows PostgreSQL would rather hash the
# whole attempt table once.
_LOCK_MANY_SQL = """
    SELECT {share_columns}, d.found IS NOT NULL AS v_done
    FROM unnest(%s::bigint[], %s::text[]) AS g (share_id, task_id)
    INNER JOIN {share} s ON s.{share.pk} = g.share_id
    LEFT OUTER JOIN LATERAL (
        SELECT 1 AS found FROM {attempt} t WHERE t.{attempt.share} = s.{share.pk}
        AND t.{attempt.task_id} = g.task_id AND t.{attempt.outcome} <> %s AND g.task_id <> ''
        LIMIT 1
    ) d ON true
    ORDER BY s.{share.pk}
    FOR UPDATE OF s
"""


class _Names:
    """A model's quoted names for the SQL above: ``{share}`` is the table,
    ``{share.platform}`` a column, ``{share.pk}`` the primary key's."""

    def __init__(self, model, connection) -> None:
        self._meta = model._meta
        self._quote = connection.ops.quote_name

    def __format__(self, spec: str) -> str:
        return self._quote(self._meta.db_table)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        field = self._meta.pk if name == "pk" else self._meta.get_field(name)
        return self._quote(field.column)


@functools.lru_cache(maxsize=16)
def _sql(alias: str, *, load: bool, task_id: bool, many: bool = False) -> str:
    """_LOAD_SQL or _LOCK_SQL for this database; with ``task_id``, with _DONE_SQL;
    ``many``: _LOCK_MANY_SQL."""
    connection = connections[alias]
    names = {
        name: _Names(model, connection)
        for name, model in [
            ("share", Share),
            ("user", Share._meta.get_field("staff").related_model),
            ("policy", PlatformPolicy),
            ("account", SocialAccount),
            ("attempt", VerificationAttempt),
        ]
    }
    # The share's columns by name, not s.*: a prepared statement (sharekpi.prepared)
    # whose result changes shape after a column is added would fail.
    columns = ", ".join(
        f"s.{connection.ops.quote_name(field.column)}" for field in Share._meta.concrete_fields
    )
    sql = (_LOCK_MANY_SQL if many else _LOAD_SQL if load else _LOCK_SQL).format(
        share_columns=columns,
        done=_DONE_SQL.format(**names) if task_id else "",
        for_update="FOR UPDATE" if connection.features.has_select_for_update else "",
        **names,
    )
    return " ".join(sql.split())


_SHARE_FIELDS = Share._meta.concrete_fields
_SHARE_ATTNAMES = [field.attname for field in _SHARE_FIELDS]


@functools.lru_cache(maxsize=16)
def _share_converters(alias: str) -> tuple:
    """(position, converters, column) for each share column whose value the database
    driver does not give as the model wants it (the JSON of status_params)."""
    connection = connections[alias]
    found = []
    for position, share_field in enumerate(_SHARE_FIELDS):
        column = share_field.get_col(Share._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((position, tuple(converters), column))
    return tuple(found)


def _share_from_row(alias: str, row: Sequence) -> Share:
    """A Share from the first columns of a row of the SQL above (the share's columns in
    the model's order), as the ORM would build it; the columns after them are not read."""
    values = list(row[: len(_SHARE_FIELDS)])
    connection = connections[alias]
    for position, converters, column in _share_converters(alias):
        for converter in converters:
            values[position] = converter(values[position], column, connection)
    return Share.from_db(alias, _SHARE_ATTNAMES, values)


def _rows(alias: str, sql: str, params: Sequence) -> list[tuple]:
    """The rows of ``sql``, prepared (sharekpi.prepared) where the database can."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(prepared.statement(connection, sql), params)
        return cursor.fetchall()


def _shares(alias: str, share_id: int, task_id: str, *, load: bool) -> list[tuple]:
    """The rows of _LOAD_SQL or _LOCK_SQL."""
    params = [task_id, VerificationOutcome.RETRY, share_id] if task_id else [share_id]
    return _rows(alias, _sql(alias, load=load, task_id=bool(task_id)), params)


def _final_attempt_recorded(share: Share) -> bool:
    """Whether the task id of the query that read ``share`` recorded a final attempt."""
    return bool(getattr(share, "v_done", False))


def _load(share_id: int, task_id: str) -> tuple[Share, policies.EffectivePolicy] | None:
    """Step 1 in one query: the share with what assessing it needs, and its policy."""
    alias = router.db_for_read(Share)
    rows = _shares(alias, share_id, task_id, load=True)
    if not rows:
        return None
    share = _share_from_row(alias, rows[0])
    # After the share's columns: v_staff_name, v_staff_code, v_policy, v_sample_percent,
    # v_handle, v_profile_url and, with a task id, v_done.
    extra = rows[0][len(_SHARE_FIELDS) :]
    staff_name, staff_code, policy, sample_percent = extra[:4]
    share.v_done = bool(task_id and extra[6])
    # The staff member (named in messages), as .only("full_name", "staff_id") would load
    # it: from_db wants the loaded fields in the model's order.
    user = Share._meta.get_field("staff").related_model
    loaded = {
        user._meta.pk.attname: share.staff_id,
        "staff_id": staff_code,
        "full_name": staff_name,
    }
    names = [f.attname for f in user._meta.concrete_fields if f.attname in loaded]
    share.staff = user.from_db(alias, names, [loaded[name] for name in names])
    accounts = len(_SHARE_FIELDS) + 4  # v_handle, v_profile_url
    verifiers.remember_accounts(
        share,
        share.platform,
        [(row[accounts], row[accounts + 1] or "") for row in rows if row[accounts] is not None],
    )
    if policy is None:  # HR has not set one
        return share, policies._effective(share.platform, None)
    return share, policies.EffectivePolicy(share.platform, policy, sample_percent, is_default=False)


def _lock(share_id: int, task_id: str) -> Share | None:
    """Step 3's read, in the caller's transaction: the share, locked, with the final-attempt
    check of ``task_id`` (``_final_attempt_recorded``)."""
    alias = router.db_for_write(Share)
    if not connections[alias].in_atomic_block:  # as select_for_update would say
        raise transaction.TransactionManagementError("_lock() outside a transaction")
    rows = _shares(alias, share_id, task_id, load=False)
    if not rows:
        return None
    share = _share_from_row(alias, rows[0])
    share.v_done = bool(task_id and rows[0][len(_SHARE_FIELDS)])
    return share


def _lock_many(items: Sequence[tuple[int, str]]) -> dict[int, Share]:
    """``_lock`` of each ``(share pk, task id)`` (each share once), in share order: on
    PostgreSQL in one statement. The shares found, by pk."""
    alias = router.db_for_write(Share)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        locked = (_lock(share_id, task_id) for share_id, task_id in sorted(items))
        return {share.pk: share for share in locked if share is not None}
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("_lock_many() outside a transaction")
    sql = _sql(alias, load=False, task_id=True, many=True)
    ids, task_ids = [share_id for share_id, _ in items], [task_id for _, task_id in items]
    shares = {}
    for row in _rows(alias, sql, [ids, task_ids, VerificationOutcome.RETRY]):
        share = _share_from_row(alias, row)
        share.v_done = bool(row[len(_SHARE_FIELDS)])
        shares[share.pk] = share
    return shares


def run(
    *,
    share_id: int,
    task_id: str = "",
    tries: int = 1,
    max_tries: int = 1,
    recheck: bool = False,
) -> str | None:
    """Verify one share once (see the module docstring). Returns the attempt's outcome,
    or None when there was nothing to do."""
    expected = ShareStatus.VERIFIED if recheck else ShareStatus.PENDING
    loaded = _load(share_id, task_id)
    share, policy = loaded or (None, None)
    if share is None or share.status != expected:
        log.info("share %s: nothing to verify (status %s)", share_id, share and share.status)
        return None
    if _final_attempt_recorded(share):
        log.info("share %s: task %s already recorded its attempt", share_id, task_id)
        return None
    started_at = timezone.now()
    clock = time.monotonic()
    try:
        decision = assess_recheck(share) if recheck else assess(share, policy=policy)
    except TemporaryFailure as exc:
        name = _label(share.platform)
        where = {"http_status": exc.http_status, "url_fetched": exc.url}
        if recheck:
            decision = Decision(
                VerificationOutcome.RETRY,
                f"re-check: temporary failure ({exc.reason}); checked again at a later re-check",
                None,
                **where,
            )
        elif tries >= max_tries:
            decision = _needs_review(
                f"could not reach {name} after {tries} tries: {exc.reason}",
                coded("review.unreachable", platform=share.platform, tries=tries),
                **where,
            )
        else:
            still_wanted = _record_retry(
                share_id=share_id,
                task_id=task_id,
                tries=tries,
                max_tries=max_tries,
                exc=exc,
                started_at=started_at,
                duration_ms=int((time.monotonic() - clock) * 1000),
            )
            if still_wanted:
                raise
            return None
    pending = PendingCommit(
        share_id=share_id,
        task_id=task_id,
        expected=expected,
        decision=decision,
        started_at=started_at,
        duration_ms=int((time.monotonic() - clock) * 1000),
    )
    if _group_committer is not None:
        return _group_committer.submit(pending, timeout=GROUP_COMMIT_TIMEOUT)
    return commit_many([pending])[0]


@transaction.atomic
def _record_retry(
    *,
    share_id: int,
    task_id: str,
    tries: int,
    max_tries: int,
    exc: TemporaryFailure,
    started_at: datetime.datetime,
    duration_ms: int,
) -> bool:
    """Record a "retry" attempt once per try; False when the share no longer wants one."""
    share = _lock(share_id, task_id)
    if share is None or share.status != ShareStatus.PENDING:
        return False
    if _final_attempt_recorded(share):
        return False
    recorded = VerificationAttempt.objects.filter(
        share_id=share_id, task_id=task_id, outcome=VerificationOutcome.RETRY
    ).count()
    if task_id and recorded >= tries:
        return True  # this try was recorded before a crash; retry without a second record
    wait = f", not before {exc.retry_after:.0f} s as asked" if exc.retry_after else ""
    VerificationAttempt.objects.create(
        share_id=share_id,
        started_at=started_at,
        url_fetched=(exc.url or "")[:2000],
        http_status=exc.http_status,
        duration_ms=duration_ms,
        outcome=VerificationOutcome.RETRY,
        reason=f"temporary failure: {exc.reason}; try {tries} of {max_tries}, will retry{wait}",
        task_id=task_id,
    )
    return True


@dataclass(frozen=True)
class PendingCommit:
    """A decision waiting to be written (step 3)."""

    share_id: int
    task_id: str
    expected: str
    decision: Decision
    started_at: datetime.datetime
    duration_ms: int


# A worker running many verifications in threads writes their decisions together (see
# verification.group_commit and use_group_commit); None: each run writes its own.
_group_committer: GroupCommitter[PendingCommit, str | None] | None = None
GROUP_COMMIT_MAX = 100  # decisions per transaction at most
GROUP_COMMIT_TIMEOUT = 300.0  # seconds; past it the task fails and the sweep re-queues


def use_group_commit(enabled: bool = True) -> None:
    """Write the decisions of this process's concurrent runs in shared transactions
    (the verification worker turns it on for its thread pool: verification.tasks)."""
    global _group_committer
    log.info("Group commit of verification decisions: %s", "on" if enabled else "off")
    _group_committer = (
        GroupCommitter(commit_many, max_group=GROUP_COMMIT_MAX, name="verification-commit")
        if enabled
        else None
    )


@dataclass
class _GroupWrites:
    """The rows a group's usual decisions write, one statement each at its end."""

    attempts: list[VerificationAttempt] = field(default_factory=list)
    statuses: list[tuple[Share, str, Reason]] = field(default_factory=list)


def commit_many(pending: Sequence[PendingCommit]) -> list[str | None]:
    """Write decisions (step 3) in one transaction, in share order (two groups never
    wait for each other's rows in opposite orders): each share locked and checked
    alone, then every attempt in one INSERT and every status in one UPDATE; the
    listeners hear of all the status changes at once, set-based. Each result is the
    attempt's outcome, or None when there was nothing to write."""
    results: list[str | None] = [None] * len(pending)
    writes, seen, first = _GroupWrites(), set(), []
    for i in sorted(range(len(pending)), key=lambda i: pending[i].share_id):
        if pending[i].share_id not in seen:  # the same share twice: the first one decides it
            seen.add(pending[i].share_id)
            first.append(i)
    with transaction.atomic(), campaign_services.batched_status_changes():
        locked = _lock_many([(pending[i].share_id, pending[i].task_id) for i in first])
        for i in first:
            item = pending[i]
            results[i] = _commit(
                share=locked.get(item.share_id),
                task_id=item.task_id,
                expected=item.expected,
                decision=item.decision,
                started_at=item.started_at,
                duration_ms=item.duration_ms,
                writes=writes,
            )
        VerificationAttempt.objects.bulk_create(writes.attempts)
        campaign_services.change_share_statuses(writes.statuses, save_fields=("last_checked_at",))
    return results


def _commit(
    *,
    share: Share | None,
    task_id: str,
    expected: str,
    decision: Decision,
    started_at: datetime.datetime,
    duration_ms: int,
    writes: _GroupWrites,
) -> str | None:
    """One decision for ``share`` as locked by commit_many (None: not found), inside its
    transaction. The usual case (a status, no resolved short link) is left in ``writes``
    for commit_many to write with the rest."""
    if share is None or share.status != expected:
        return None  # decided meanwhile (HR, or another run of the task)
    if _final_attempt_recorded(share):
        return None  # this message was delivered twice
    share.last_checked_at = timezone.now()
    fields = ["last_checked_at"]
    resolved = decision.resolved
    if resolved is not None and resolved.normalized_url != share.normalized_url:
        other = _duplicate_of(share, resolved.normalized_url)
        if other is None:
            try:
                with transaction.atomic():
                    Share.objects.filter(pk=share.pk).update(normalized_url=resolved.normalized_url)
            except IntegrityError:  # another share claimed it a moment ago
                other = _duplicate_of(share, resolved.normalized_url)
        if other is not None:
            decision = _duplicate(share, other, resolved)
        else:
            share.short_url = share.short_url or share.normalized_url
            share.normalized_url = resolved.normalized_url
            share.post_id = resolved.post_id or ""
            share.author_handle = resolved.author_handle or ""
            fields += ["normalized_url", "short_url", "post_id", "author_handle"]
    attempt = VerificationAttempt(
        share_id=share.pk,
        started_at=started_at,
        url_fetched=(decision.url_fetched or "")[:2000],
        http_status=decision.http_status,
        duration_ms=duration_ms,
        outcome=decision.outcome,
        reason=decision.reason,
        task_id=task_id,
    )
    reason = decision.why or decision.reason
    if decision.status is not None and fields == ["last_checked_at"]:
        writes.attempts.append(attempt)
        writes.statuses.append((share, decision.status, reason))
        return decision.outcome
    attempt.save()
    if decision.status is not None:
        campaign_services.change_share_status(
            share=share,
            new_status=decision.status,
            reason=reason,
            save_fields=tuple(fields),
        )
    else:
        share.save(update_fields=[*fields, "updated_at"])
    return decision.outcome


# --- housekeeping: the sweep and the re-checks --------------------------------------


VERIFY_SHARE_TASK = "verification.tasks.verify_share"


def queue_verification(share_id: int, *, recheck: bool = False) -> None:
    """Send ``verify_share`` for a share. By the task's name: tasks imports this module,
    not the other way round (eagerly run where the app says so, as ``delay`` would)."""
    kwargs = {"recheck": True} if recheck else {}
    args = (share_id,)
    if celery_app.conf.task_always_eager:
        celery_app.signature(VERIFY_SHARE_TASK, args=args, kwargs=kwargs).delay()
        return
    # send_task, what delay() ends in, without its detours (a quarter of the CPU of a
    # submission's publish): the message's argsrepr and kwargsrepr given, not computed
    # by saferepr (they read the same for an id and a flag).
    celery_app.send_task(
        VERIFY_SHARE_TASK,
        args=args,
        kwargs=kwargs,
        argsrepr=repr(args),
        kwargsrepr=repr(kwargs),
        ignore_result=celery_app.conf.task_ignore_result,
    )


VERIFY_SHARES_TASK = "verification.tasks.verify_shares"
PUBLISH_BATCH_MAX = 50  # ids in one verify_shares message at most


def queue_logged(share_id: int) -> None:
    """Queue the check of a share just logged (its transaction committed): gathered
    with the others logged in this process within SHAREKPI_VERIFY_PUBLISH_BATCH_MS into
    one ``verify_shares`` message, sent by a thread of its own (verification.batching).
    At 0, or where tasks run eagerly, one ``verify_share`` message now, as before."""
    linger = settings.SHAREKPI_VERIFY_PUBLISH_BATCH_MS / 1000
    if linger <= 0 or celery_app.conf.task_always_eager:
        queue_verification(share_id)
        return
    batcher = logged_batcher()
    batcher.linger = linger
    batcher.add(share_id)


@functools.cache
def logged_batcher() -> batching.Batcher:
    return batching.Batcher(_send_logged, linger=0.0, limit=PUBLISH_BATCH_MAX)


def _send_logged(share_ids: list[int]) -> None:
    args = (share_ids,)
    celery_app.send_task(
        VERIFY_SHARES_TASK,
        args=args,
        argsrepr=repr(args),
        kwargsrepr="{}",
        ignore_result=celery_app.conf.task_ignore_result,
    )


def retry_max_delay() -> int:
    """Longest wait between two tries (Retry-After included), in seconds."""
    return int(getattr(settings, "SHAREKPI_VERIFY_RETRY_MAX_DELAY", 600))


def sweep_pending(*, older_than_minutes: float | None = None, limit: int = 500) -> int:
    """Queue pending shares again whose message was lost (broker outage, crash).

    Skips shares with a "retry" attempt recent enough for their next try to be
    scheduled still. A share queued twice is harmless: the second run finds it
    decided and does nothing.
    """
    minutes = (
        settings.SHAREKPI_PENDING_SWEEP_MINUTES
        if older_than_minutes is None
        else older_than_minutes
    )
    now = timezone.now()
    retrying = VerificationAttempt.objects.filter(
        outcome=VerificationOutcome.RETRY,
        started_at__gte=now - datetime.timedelta(seconds=retry_max_delay() + 60),
    ).values("share_id")
    share_ids = list(
        Share.objects.filter(
            status=ShareStatus.PENDING,
            submitted_at__lte=now - datetime.timedelta(minutes=minutes),
        )
        .exclude(pk__in=retrying)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for share_id in share_ids:
        try:
            queue_verification(share_id)
        except Exception:  # broker down: the next sweep tries again
            log.warning("sweep: broker unavailable after %d of %d shares", queued, len(share_ids))
            break
        queued += 1
    if queued:
        log.info("sweep: queued %d pending shares again", queued)
    return queued


def queue_rechecks(*, batch_size: int | None = None) -> int:
    """Queue a re-check of the verified shares of the open KPI year checked longest ago.

    Run often with a small batch, this spreads the re-checks over the day
    instead of hitting the platforms with every share at once.
    """
    if not settings.SHAREKPI_VERIFY_NETWORK:
        return 0
    size = settings.SHAREKPI_RECHECK_BATCH_SIZE if batch_size is None else batch_size
    start, end = kpi_year.kpi_year_bounds(kpi_year.current_kpi_year())
    now = timezone.now()
    fresh = now - datetime.timedelta(hours=settings.SHAREKPI_RECHECK_MIN_AGE_HOURS)
    with transaction.atomic():
        share_ids = list(
            Share.objects.select_for_update(skip_locked=True)
            .filter(status=ShareStatus.VERIFIED, submitted_at__gte=start, submitted_at__lt=end)
            .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=fresh))
            .order_by(F("last_checked_at").asc(nulls_first=True), "pk")
            .values_list("pk", flat=True)[:size]
        )
        # Claimed now, so the next batch takes the next-oldest ones.
        Share.objects.filter(pk__in=share_ids).update(last_checked_at=now)
    queued = 0
    for share_id in share_ids:
        try:
            queue_verification(share_id, recheck=True)
        except Exception:
            log.warning("re-check: broker unavailable after %d of %d", queued, len(share_ids))
            break
        queued += 1
    return queued
