"""Every write about campaigns and shares: one transaction each, keyword-only."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import OrgUnit, Role, User
from sharekpi import prepared, rowupdates

from . import hooks, platforms, reasons, selectors
from .models import (
    REPLACEABLE_STATUSES,
    Campaign,
    CampaignPost,
    CampaignStatus,
    ManagerCampaignRight,
    Share,
    ShareSource,
    ShareStatus,
)
from .reasons import Reason
from .signals import (
    StatusChange,
    campaign_counting_changed,
    share_logged,
    share_status_changed,
    share_statuses_changed,
)

log = logging.getLogger(__name__)

# The status changes of the batch being collected (see batched_status_changes), if any.
_batch: contextvars.ContextVar[list[StatusChange] | None] = contextvars.ContextVar(
    "sharekpi_status_batch", default=None
)


class ShareRefused(Exception):
    """Bad input for a share; ``field`` is the form/API field it belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class DuplicateShare(Exception):
    """The post is already logged (by this person or someone else), or this person
    already logged a share of this campaign on this platform."""

    def __init__(self, existing: Share, *, own: bool, message: str):
        super().__init__(message)
        self.existing = existing
        self.own = own
        self.message = message


class CampaignNotAllowed(Exception):
    """The actor may not create, edit or close this campaign (403)."""


class CampaignInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def duplicate_message(existing: Share, staff: User) -> DuplicateShare:
    if existing.staff_id == staff.pk:
        return DuplicateShare(
            existing, own=True, message=_("You have already logged this post (see My shares).")
        )
    return DuplicateShare(
        existing,
        own=False,
        message=_("This post has already been claimed by another member of staff."),
    )


def official_post_message(official: tuple[str, str]) -> str:
    """What a person is told who logged an official post instead of their share of it."""
    kind, value = official
    if kind == selectors.OFFICIAL_AUTHOR:
        return _(
            "That post is by the official account @%(handle)s, not yours: share it from your "
            "own account, then paste the link of your share."
        ) % {"handle": value}
    return _(
        "That is the official post: share it from your own account, then paste the link "
        "of your share."
    )


def announce_logged(share_id: int) -> None:
    """Tell the listeners (verification queues the check) that a share was logged, after
    its transaction committed. A listener's failure (the broker is down) must not fail
    the submission: the share stays pending and verification's sweep finds it."""
    for receiver, result in share_logged.send_robust(sender=Share, share_id=share_id):
        if isinstance(result, Exception):
            log.warning("share %s logged; %r failed: %s", share_id, receiver, result)


class CampaignNotVisible(Exception):
    """``submit_share_by_id``: no campaign of that id that the person may see (the API
    answers it like an unknown id in the ``campaign`` field)."""


def submit_share(
    *, staff: User, campaign: Campaign, url: str, source: str = ShareSource.FORM
) -> Share:
    """Log ``staff``'s share of ``campaign`` (pending; ``share_logged`` after commit hands it
    to verification).
    Refusals raise ShareRefused, duplicates DuplicateShare; nothing is written then."""
    try:
        parsed = platforms.parse(url)
    except platforms.InvalidShareUrl as exc:
        raise ShareRefused("url", str(exc)) from exc
    share = _log_at_once(
        staff=staff, campaign_id=campaign.pk, campaign=campaign, url=url, parsed=parsed,
        source=source,
    )  # fmt: skip
    if share is not None:
        return share
    facts = selectors.submission_facts(staff, campaign.pk, parsed)
    return _submit(
        staff=staff, campaign=campaign, url=url, parsed=parsed, source=source, facts=facts
    )


def submit_share_by_id(*, staff: User, campaign_id: int, url: str, source: str) -> Share:
    """``submit_share`` for the API, given the campaign's id: the campaign must be one
    ``staff`` may see (``selectors.visible_campaigns``), else CampaignNotVisible, checked
    first as the API always did. On PostgreSQL a share that every rule lets in is
    written by one statement (``_log_at_once``); otherwise the campaign, its rules and
    the duplicate check come from one statement (``selectors.submission_facts``), and
    the answer from them."""
    try:
        parsed = platforms.parse(url)
    except platforms.InvalidShareUrl as exc:
        visible = selectors.visible_campaigns(staff).filter(pk=campaign_id)
        if not (0 < campaign_id <= selectors.MAX_ID and visible.exists()):
            raise CampaignNotVisible(campaign_id) from None
        raise ShareRefused("url", str(exc)) from exc
    share = _log_at_once(
        staff=staff, campaign_id=campaign_id, campaign=None, url=url, parsed=parsed, source=source
    )
    if share is not None:
        return share
    facts = selectors.submission_facts(staff, campaign_id, parsed)
    if not facts.visible:
        raise CampaignNotVisible(campaign_id)
    return _submit(
        staff=staff, campaign=facts.campaign, url=url, parsed=parsed, source=source, facts=facts
    )


def _log_at_once(
    *,
    staff: User,
    campaign_id: int,
    campaign: Campaign | None,
    url: str,
    parsed: platforms.ParsedUrl,
    source: str,
) -> Share | None:
    """On PostgreSQL, the share written by one statement (one round trip, its own
    implicit transaction when the caller holds none): the INSERT of ``_insert``, whose
    rows come from ``SELECT … FROM campaign c WHERE <selectors.submission_guard>``, the
    condition that holds exactly when the usual path (``submission_facts``, then
    ``_save_share``) would log it as a brand-new share with nothing to replace. None
    when it wrote nothing (a refusal, a duplicate, a share to replace, or SQLite): the
    caller then takes the usual path, which gives the exact answer. A concurrent
    submission of the same post (or slot) that won the race fails the statement on the
    unique constraints, answered as on the usual path (``_clash``)."""
    if connection.vendor != "postgresql" or not 0 < campaign_id <= selectors.MAX_ID:
        return None
    share = _new_share(staff=staff, campaign_id=campaign_id, url=url, parsed=parsed, source=source)
    if campaign is not None:
        share.campaign = campaign
    # In a caller's transaction, a savepoint: a lost race must not break it for _clash.
    write = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with write:
            written = _insert(share, guard=selectors.guard_values(staff, campaign_id, parsed))
    except IntegrityError:
        clash = _clash(staff=staff, campaign=campaign or Campaign(pk=campaign_id), parsed=parsed)
        if clash is None:
            raise
        raise clash from None
    if not written:
        return None
    announce_status_change(share=share, old_status=None, new_status=ShareStatus.PENDING)
    transaction.on_commit(lambda: announce_logged(share.pk))
    return share


def _submit(
    *,
    staff: User,
    campaign: Campaign,
    url: str,
    parsed: platforms.ParsedUrl,
    source: str,
    facts: selectors.SubmissionFacts,
) -> Share:
    try:
        share = _save_share(
            staff=staff, campaign=campaign, url=url, parsed=parsed, source=source, facts=facts
        )
    except IntegrityError:
        # A concurrent submission of the same post (or platform) won the race and this
        # transaction rolled back; report it like any duplicate.
        clash = _clash(staff=staff, campaign=campaign, parsed=parsed)
        if clash is None:
            raise
        raise clash from None
    transaction.on_commit(lambda: announce_logged(share.pk))
    return share


def _save_share(
    *,
    staff: User,
    campaign: Campaign,
    url: str,
    parsed: platforms.ParsedUrl,
    source: str,
    facts: selectors.SubmissionFacts,
) -> Share:
    """The refusals, read from ``facts`` (before any transaction: each is one statement's
    answer in READ COMMITTED, as it was inside one), then the writes in one transaction
    (on PostgreSQL, with nothing to replace, in one statement)."""
    if not campaign.is_open_today():
        raise ShareRefused("campaign", _("This campaign is not open for shares today."))
    in_audience, post_platforms, official = facts.in_audience, facts.post_platforms, facts.official
    if not in_audience:
        raise ShareRefused("campaign", _("This campaign is not meant for your unit."))
    if official is not None:
        raise ShareRefused("url", official_post_message(official))
    if post_platforms and parsed.platform not in post_platforms:
        label = platforms.PLATFORM_LABELS.get
        names = ", ".join(sorted(label(p, p) for p in post_platforms))
        raise ShareRefused(
            "url",
            _("This campaign has no official post on %(platform)s; share it on %(platforms)s.")
            % {"platform": label(parsed.platform, parsed.platform), "platforms": names},
        )
    write = transaction.atomic()
    if not facts.existing and connection.vendor == "postgresql":
        # Nothing to replace: the share and its listeners' parts are one statement, its
        # own (implicit) transaction when the caller holds none (see _insert).
        write = contextlib.nullcontext()
    with write:
        return _write_share(
            staff=staff,
            campaign=campaign,
            url=url,
            parsed=parsed,
            source=source,
            anything_there=facts.existing,
        )


def _write_share(
    *,
    staff: User,
    campaign: Campaign,
    url: str,
    parsed: platforms.ParsedUrl,
    source: str,
    anything_there: bool,
) -> Share:
    # Nothing held the post or the slot a statement ago: a share logged since then by a
    # concurrent submission makes the INSERT fail (unique constraints), answered by _clash.
    to_replace = (
        _check_existing(staff=staff, campaign=campaign, parsed=parsed) if anything_there else None
    )
    old_status = None
    if to_replace is not None:
        # Lock the share being replaced: of two submissions replacing it at once, the
        # second waits here, then sees it replaced and the first one's new share.
        to_replace = Share.objects.select_for_update().get(pk=to_replace.pk)
        if to_replace.status not in REPLACEABLE_STATUSES:
            _check_existing(staff=staff, campaign=campaign, parsed=parsed)  # raises the winner
            raise DuplicateShare(to_replace, own=True, message=_platform_taken(parsed))
        old_status = to_replace.status
        # Out of the live set first: one live share per person, campaign and platform.
        # It keeps the reason it had (a code of the catalogue, or HR's words).
        kept: Reason = (
            reasons.Coded(to_replace.status_code, to_replace.status_params)
            if to_replace.status_code
            else to_replace.status_reason
        )
        change_share_status(share=to_replace, new_status=ShareStatus.REPLACED, reason=kept)
    share = _new_share(staff=staff, campaign_id=campaign.pk, url=url, parsed=parsed, source=source)
    share.campaign = campaign
    _insert(share)
    # A new share is a status change too (from nothing to pending): listeners that keep
    # counts of logged shares see it, in this transaction — or, on PostgreSQL with nothing
    # to replace, right after the share's own statement committed, which their parts
    # (campaigns.hooks.add_new_share_part: the dashboard's note) already joined.
    announce_status_change(share=share, old_status=None, new_status=ShareStatus.PENDING)
    if to_replace is not None:
        to_replace.replaced_by = share
        to_replace.save(update_fields=["replaced_by", "updated_at"])
        audit.record(
            actor=staff,
            action="share.replaced",
            obj=to_replace,
            before={"status": old_status, "url": to_replace.url},
            after={"status": ShareStatus.REPLACED, "replaced_by": share.pk, "url": share.url},
        )
    return share


def _new_share(
    *, staff: User, campaign_id: int, url: str, parsed: platforms.ParsedUrl, source: str
) -> Share:
    """The share about to be logged (pending, no pk yet)."""
    return Share(
        staff=staff,
        campaign_id=campaign_id,
        url=url.strip(),
        normalized_url=parsed.normalized_url,
        short_url=parsed.normalized_url if parsed.kind == platforms.SHORT_LINK else "",
        platform=parsed.platform,
        post_id=parsed.post_id or "",
        author_handle=parsed.author_handle or "",
        source=source,
        submitted_at=timezone.now(),
    )


# How each column's value is read from a new share: as it is (a str, an int or an aware
# datetime, which the driver sends as the ORM would), set to the time of the INSERT
# (auto_now, auto_now_add), or the ORM's way (pre_save, get_db_prep_save).
_AS_IS, _NOW, _PREPARED = range(3)
_AS_IS_FIELDS = (models.CharField, models.TextField, models.ForeignKey, models.DateTimeField)
# The pre_saves that only read the attribute (the dates': unless auto_now, set apart).
_READING_PRE_SAVES = (
    models.Field.pre_save,
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
)


@functools.cache
def _insert_fields() -> tuple[tuple, tuple, tuple]:
    """The fields of a share's row (every column but the id), how each value is read,
    and the names of their parameters in ``_insert_sql``."""
    fields = tuple(f for f in Share._meta.local_concrete_fields if not f.primary_key)
    how = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            how.append(_NOW)
        elif isinstance(f, _AS_IS_FIELDS) and type(f).pre_save in _READING_PRE_SAVES:
            how.append(_AS_IS)
        else:
            how.append(_PREPARED)
    # The auto_now fields take one value, sent once (``_row_values``).
    names = tuple(
        "share__now" if read == _NOW else f"share__{f.attname}"
        for f, read in zip(fields, how, strict=True)
    )
    return fields, tuple(how), names


def _row_values(share: Share) -> list:
    """The row of ``share`` as ``Share.objects.create`` would write it (the auto_now
    fields set on ``share`` too), in ``_insert_fields`` order."""
    fields, how, _names = _insert_fields()
    now = timezone.now()
    values = []
    for field, read in zip(fields, how, strict=True):
        if read == _AS_IS:
            values.append(getattr(share, field.attname))
        elif read == _NOW:
            setattr(share, field.attname, now)
            values.append(now)
        else:
            values.append(field.get_db_prep_save(field.pre_save(share, True), connection))
    return values


_INSERT_SQL: dict[tuple[bool, bool] | None, str] = {}


def _insert_sql(guard: tuple[bool, bool] | None) -> str:
    """The INSERT of a share's row, ``RETURNING`` what the parts of its statement read
    (campaigns.hooks), with ``%(name)s`` placeholders (each value is sent once, however
    often the guard reads it): the fields' (``_insert_fields``) and, with a ``guard``
    (whether the URL has a post id, an author), ``selectors.submission_guard``'s: then
    the row is ``SELECT … FROM campaign c WHERE <the guard>``, none when a rule says no."""
    if guard not in _INSERT_SQL:
        qn = connection.ops.quote_name
        fields, _how, names = _insert_fields()
        columns = ", ".join(qn(f.column) for f in fields)
        if guard is None:
            rows = "VALUES (" + ", ".join(f"%({name})s" for name in names) + ")"
        else:
            # Parameters in a SELECT list have no type of their own: each is cast to its
            # column's. The campaign's id is the campaign row's.
            values = ", ".join(
                "c.id"
                if f.attname == "campaign_id"
                else f"CAST(%({name})s AS {f.cast_db_type(connection)})"
                for f, name in zip(fields, names, strict=True)
            )
            rows = (
                f"SELECT {values} FROM {qn(Campaign._meta.db_table)} c"
                f" WHERE {selectors.submission_guard(*guard)}"
            )
        _INSERT_SQL[guard] = (
            f"INSERT INTO {qn(Share._meta.db_table)} ({columns}) {rows} "
            "RETURNING id, staff_id, campaign_id"
        )
    return _INSERT_SQL[guard]


_PART_PLACEHOLDER = re.compile(r"%%|%s")


def _named_part(index: int, sql: str, params: list) -> tuple[str, dict]:
    """A part's SQL (``%s`` placeholders) with named ones, ``part<index>_<n>``, and its
    parameters by those names: one statement takes one kind."""
    named, names = _part_names(index, sql, len(params))
    return named, dict(zip(names, params, strict=True))


@functools.lru_cache(maxsize=64)
def _part_names(index: int, sql: str, count: int) -> tuple[str, tuple[str, ...]]:
    """``_named_part``'s SQL and parameter names, worked out once per part (a part's SQL
    is the same for every share)."""
    names = tuple(f"part{index}_{n}" for n in range(count))
    next_name = iter(names).__next__

    def name(match: re.Match) -> str:
        return "%%" if match.group() == "%%" else f"%({next_name()})s"

    return _PART_PLACEHOLDER.sub(name, sql), names


# Each statement's text by its shape and parts' SQL: built once, and the same string
# object each time (sharekpi.prepared looks it up by its text, whose hash it keeps).
_STATEMENTS: dict[tuple, str] = {}


def _insert(share: Share, guard: dict | None = None) -> bool:
    """Insert the new ``share`` as ``Share.objects.create`` would (the same field values
    and defaults; Share has no save signals' receivers); whether it did. On PostgreSQL,
    one statement with the parts the apps above register (campaigns.hooks.
    add_new_share_part: the dashboard's note), so that outside a transaction the share
    and those writes are one round trip, one implicit transaction; a duplicate still
    fails the whole statement on the unique constraints (IntegrityError). With
    ``guard`` (``selectors.guard_values``), only if every rule lets the share in
    (``_log_at_once``): else nothing is written, the parts' writes included (they read
    ``new_share``)."""
    if connection.vendor != "postgresql":
        share.save(force_insert=True)
        return True
    shape = None if guard is None else (bool(share.post_id), bool(share.author_handle))
    params = dict(guard) if guard else {}
    params.update(zip(_insert_fields()[2], _row_values(share), strict=True))
    parts = hooks.new_share_parts(share)
    named = [_named_part(index, sql, values) for index, (sql, values) in enumerate(parts)]
    for _sql, values in named:
        params.update(values)
    key = (shape, *(sql for sql, _values in parts))
    statement = _STATEMENTS.get(key)
    if statement is None:
        ctes = "".join(f", {sql}" for sql, _values in named)
        statement = f"WITH new_share AS ({_insert_sql(shape)}){ctes} SELECT id FROM new_share"
        _STATEMENTS[key] = statement
    with connection.cursor() as cursor:
        cursor.execute(prepared.statement(connection, statement), params)  # planned once
        row = cursor.fetchone()
    if row is None:
        return False
    share.pk = row[0]
    share._state.adding = False
    share._state.db = connection.alias
    return True


def _platform_taken(parsed: platforms.ParsedUrl) -> str:
    return _("You have already logged %(a_platform)s share of this campaign.") % {
        "a_platform": platforms.with_article(parsed.platform)
    }


def _check_existing(
    *, staff: User, campaign: Campaign, parsed: platforms.ParsedUrl
) -> Share | None:
    """Raise DuplicateShare for what a new share of ``parsed`` would duplicate, in one
    indexed query: the same post (by its normalised URL, or by its platform post id when
    the URL shape differs — permalink.php vs /posts/; replaced shares included, the URL
    stays theirs), else this person's live share of the campaign on that platform. That
    live share, when rejected or removed, is returned instead: the new one replaces it."""
    same_post = Q(normalized_url=parsed.normalized_url)
    if parsed.post_id:
        same_post |= Q(platform=parsed.platform, post_id=parsed.post_id)
    same_platform = Q(staff=staff, campaign=campaign, platform=parsed.platform) & ~Q(
        status=ShareStatus.REPLACED
    )
    found = list(Share.objects.filter(same_post | same_platform).order_by("pk")[:4])
    for existing in found:
        if existing.normalized_url == parsed.normalized_url:
            raise _same_post(existing, staff)
    for existing in found:
        if parsed.post_id and (existing.platform, existing.post_id) == (
            parsed.platform,
            parsed.post_id,
        ):
            raise _same_post(existing, staff)
    if not found:
        return None
    live = found[0]
    if live.status in REPLACEABLE_STATUSES:
        return live
    raise DuplicateShare(live, own=True, message=_platform_taken(parsed))


def _same_post(existing: Share, staff: User) -> DuplicateShare:
    """The duplicate answer for a post already logged. Logging one's own rejected or
    removed post again changes nothing: the way to contest the decision is an appeal."""
    if existing.staff_id == staff.pk and existing.status in REPLACEABLE_STATUSES:
        return DuplicateShare(
            existing,
            own=True,
            message=_(
                "You logged this post before and it was %(status)s. "
                "Logging it again changes nothing: if you think that was wrong, appeal it "
                "from My shares; otherwise log the link of another share of yours."
            )
            % {"status": existing.get_status_display().lower()},
        )
    return duplicate_message(existing, staff)


def _clash(
    *, staff: User, campaign: Campaign, parsed: platforms.ParsedUrl
) -> DuplicateShare | None:
    """What a new share of ``parsed`` duplicates (after a lost race), or None."""
    try:
        _check_existing(staff=staff, campaign=campaign, parsed=parsed)
    except DuplicateShare as duplicate:
        return duplicate
    return None


def change_share_status(
    *, share: Share, new_status: str, reason: Reason = "", save_fields: tuple[str, ...] = ()
) -> Share:
    """Set a share's status and announce it. Callers hold a transaction and a row lock.
    ``reason``: HR's words, or a code of the catalogue (campaigns.reasons)."""
    old_status = _set_status(share, new_status, reason)
    share.save(update_fields=[*STATUS_FIELDS, *save_fields])
    if old_status != new_status:
        announce_status_change(share=share, old_status=old_status, new_status=new_status)
    return share


def change_share_statuses(
    changes: Sequence[tuple[Share, str, Reason]], *, save_fields: tuple[str, ...] = ()
) -> None:
    """Set several shares' statuses — ``(share, new status, reason)`` — in one UPDATE and
    announce each change. Callers hold a transaction and the rows' locks."""
    if not changes:
        return
    old_statuses = [_set_status(share, status, reason) for share, status, reason in changes]
    now = timezone.now()
    for share, _status, _reason in changes:
        share.updated_at = now  # an UPDATE of many rows does not run auto_now
    rowupdates.update_rows(
        Share, [share for share, _old, _new in changes], [*STATUS_FIELDS, *save_fields]
    )
    for (share, new_status, _reason), old_status in zip(changes, old_statuses, strict=True):
        if old_status != new_status:
            announce_status_change(share=share, old_status=old_status, new_status=new_status)


STATUS_FIELDS = (
    "status",
    "status_reason",
    "status_code",
    "status_params",
    "status_changed_at",
    "verified_at",
    "updated_at",
)


def _set_status(share: Share, new_status: str, reason: Reason) -> str:
    """Change the share's status fields in memory; its old status."""
    old_status = share.status
    share.status = new_status
    if old_status != new_status:
        share.status_changed_at = timezone.now()
    share.status_reason, share.status_code, share.status_params = reasons.fields(reason)
    if new_status == ShareStatus.VERIFIED and share.verified_at is None:
        share.verified_at = timezone.now()
    return old_status


def announce_status_change(*, share: Share, old_status: str | None, new_status: str) -> None:
    """Tell the listeners (see campaigns.signals), inside the caller's transaction."""
    share_status_changed.send(
        sender=Share, share=share, old_status=old_status, new_status=new_status
    )
    change = StatusChange(share, old_status, new_status)
    batch = _batch.get()
    if batch is None:
        share_statuses_changed.send(sender=Share, changes=[change])
    else:
        batch.append(change)


@contextlib.contextmanager
def batched_status_changes() -> Iterator[None]:
    """Announce the status changes made inside the block to ``share_statuses_changed``
    together, when the block ends without an error (inside the caller's transaction:
    open one around the block)."""
    changes: list[StatusChange] = []
    token = _batch.set(changes)
    try:
        yield
    finally:
        _batch.reset(token)
    if changes:
        share_statuses_changed.send(sender=Share, changes=changes)


def validated_posts(urls: list[str]) -> tuple[list[platforms.ParsedUrl], dict[str, list[str]]]:
    parsed_posts: list[platforms.ParsedUrl] = []
    errors: list[str] = []
    seen: set[str] = set()
    for url in urls:
        try:
            parsed = platforms.parse(url)
        except platforms.InvalidShareUrl as exc:
            errors.append(f"{url}: {exc}")
            continue
        if parsed.platform in seen:
            errors.append(
                _("%(url)s: only one official post per platform (%(platform)s).")
                % {"url": url, "platform": parsed.platform}
            )
        seen.add(parsed.platform)
        parsed_posts.append(parsed)
    if not urls:
        errors.append(_("Give at least one official post URL."))
    return parsed_posts, ({"posts": errors} if errors else {})


@dataclass
class CampaignInput:
    title: str
    description: str
    starts_on: object
    ends_on: object
    post_urls: list[str]
    units: list[OrgUnit]
    status: str = CampaignStatus.ACTIVE
    # None: keep what the campaign has (a new one: on for HR, off for a manager).
    counts_for_kpi: bool | None = None


# --- who may run which campaign (DESIGN.md / issue "department campaigns") -------------
#
# HR admins create, edit and close every campaign. A manager may create and publish
# campaigns whose audience lies within their own subtree, unless HR switched the right
# off for their unit or a unit above it (ManagerCampaignRight); they edit and close the
# campaigns they created. Only HR may make a manager's campaign count for the KPI, so a
# unit cannot inflate its own points.


def may_run_campaigns(user: User) -> bool:
    """May ``user`` create campaigns at all?"""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_hr_admin:
        return True
    if user.role != Role.MANAGER or user.unit_id is None:
        return False
    return not ManagerCampaignRight.objects.filter(
        unit__path__in=selectors.ancestor_paths(user.unit), managers_may_campaign=False
    ).exists()


def may_manage_campaign(user: User, campaign: Campaign) -> bool:
    """May ``user`` edit or close ``campaign``?"""
    if user.is_hr_admin:
        return True
    return campaign.created_by_id == user.pk and may_run_campaigns(user)


def _check_campaign_rights(
    actor: User, values: CampaignInput, campaign: Campaign | None, errors: dict
) -> bool:
    """Refuse what ``actor`` may not do (CampaignNotAllowed) and collect the field errors
    of a manager's campaign; the ``counts_for_kpi`` the campaign gets."""
    if campaign is None and not may_run_campaigns(actor):
        raise CampaignNotAllowed(_("You may not create campaigns."))
    if campaign is not None and not may_manage_campaign(actor, campaign):
        raise CampaignNotAllowed(_("You may not change this campaign."))
    current = campaign.counts_for_kpi if campaign is not None else None
    if actor.is_hr_admin:
        if values.counts_for_kpi is not None:
            return values.counts_for_kpi
        return True if current is None else current
    if not values.units:
        errors["units"] = [_("Choose the units of your campaign's audience (your own or below).")]
    else:
        outside = [u.path for u in values.units if not _within(u, actor.unit)]
        if outside:
            errors["units"] = [
                _("These units are outside your part of the organisation: %(units)s.")
                % {"units": ", ".join(sorted(outside))}
            ]
    if values.counts_for_kpi and not current:
        errors["counts_for_kpi"] = [
            _("Only HR can make a campaign count for the KPI; ask HR once it is published.")
        ]
    if values.counts_for_kpi is not None and not errors.get("counts_for_kpi"):
        return values.counts_for_kpi
    return bool(current)


def _within(unit: OrgUnit, root: OrgUnit) -> bool:
    return unit.path == root.path or unit.path.startswith(root.subtree_prefix)


@transaction.atomic
def set_manager_campaign_right(*, actor: User, unit: OrgUnit, allowed: bool) -> None:
    """HR switches department campaigns on or off for ``unit`` and the units below it."""
    if not actor.is_hr_admin:
        raise CampaignNotAllowed(_("Only HR admins may change who runs campaigns."))
    right, _created = ManagerCampaignRight.objects.select_for_update().get_or_create(unit=unit)
    before = right.managers_may_campaign
    right.managers_may_campaign = allowed
    right.updated_by = actor
    right.save()
    if before != allowed or _created:
        audit.record(
            actor=actor,
            action="campaign_right.changed",
            obj=unit,
            before={"managers_may_campaign": before},
            after={"managers_may_campaign": allowed},
        )


@transaction.atomic
def save_campaign(
    *, actor: User, values: CampaignInput, campaign: Campaign | None = None
) -> Campaign:
    """Create or edit a campaign with its official posts (checked by the platform rules)."""
    errors: dict[str, list[str]] = {}
    if not values.title.strip():
        errors["title"] = [_("Give the campaign a title.")]
    if values.starts_on and values.ends_on and values.ends_on < values.starts_on:
        errors["ends_on"] = [_("The campaign cannot end before it starts.")]
    parsed_posts, post_errors = validated_posts([u.strip() for u in values.post_urls if u.strip()])
    errors.update(post_errors)
    counts_for_kpi = _check_campaign_rights(actor, values, campaign, errors)
    if errors:
        raise CampaignInvalid(errors)
    before = None if campaign is None else campaign_record(campaign)
    counting_changed = campaign is not None and campaign.counts_for_kpi != counts_for_kpi
    if campaign is None:
        campaign = Campaign(created_by=actor)
    campaign.title = values.title.strip()
    campaign.description = values.description
    campaign.starts_on = values.starts_on
    campaign.ends_on = values.ends_on
    campaign.status = values.status
    campaign.counts_for_kpi = counts_for_kpi
    campaign.save()
    campaign.units.set(values.units)
    keep = {p.platform for p in parsed_posts}
    campaign.posts.exclude(platform__in=keep).delete()
    for parsed, url in zip(
        parsed_posts, [u.strip() for u in values.post_urls if u.strip()], strict=True
    ):
        fields = CampaignPost.parsed_fields(parsed)
        CampaignPost.objects.update_or_create(
            campaign=campaign, platform=fields.pop("platform"), defaults={"url": url, **fields}
        )
    record_campaign_change(actor=actor, campaign=campaign, before=before)
    if counting_changed:
        # scoring recounts the people with verified shares of it, in this transaction.
        campaign_counting_changed.send(sender=Campaign, campaign=campaign)
    return campaign


def record_campaign_change(*, actor: User, campaign: Campaign, before: dict | None) -> None:
    """The audit entry of a campaign created (``before`` None) or edited, if it changed;
    in the caller's transaction."""
    after = campaign_record(campaign)
    if after != before:
        audit.record(
            actor=actor,
            action="campaign.created" if before is None else "campaign.edited",
            obj=campaign,
            before=before,
            after=after,
        )


def campaign_record(campaign: Campaign) -> dict:
    """What the audit log keeps of a campaign, before and after a change."""
    return {
        "title": campaign.title,
        "description": campaign.description,
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "status": campaign.status,
        "counts_for_kpi": campaign.counts_for_kpi,
        "units": sorted(campaign.units.values_list("path", flat=True)),
        "posts": dict(campaign.posts.order_by("platform").values_list("platform", "url")),
    }


@transaction.atomic
def publish_campaign(*, campaign: Campaign, actor: User) -> Campaign:
    """A draft goes live: its audience sees it and may log shares in its window."""
    if not may_manage_campaign(actor, campaign):
        raise CampaignNotAllowed(_("You may not publish this campaign."))
    return _set_campaign_status(
        campaign, CampaignStatus.ACTIVE, actor=actor, action="campaign.published"
    )


@transaction.atomic
def close_campaign(*, campaign: Campaign, actor: User) -> Campaign:
    if not may_manage_campaign(actor, campaign):
        raise CampaignNotAllowed(_("You may not close this campaign."))
    return _set_campaign_status(
        campaign, CampaignStatus.CLOSED, actor=actor, action="campaign.closed"
    )


def _set_campaign_status(campaign: Campaign, status: str, *, actor: User, action: str) -> Campaign:
    before = campaign.status
    campaign.status = status
    campaign.save(update_fields=["status", "updated_at"])
    if before != campaign.status:
        audit.record(
            actor=actor,
            action=action,
            obj=campaign,
            before={"status": before},
            after={"status": campaign.status},
        )
    return campaign
