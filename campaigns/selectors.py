"""Read queries for campaigns and shares, scoped by who asks."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import UNIT_SEPARATOR, OrgUnit, Role, User
from sharekpi import prepared

from .models import Campaign, CampaignPost, CampaignStatus, OfficialAccount, Share, ShareStatus


def ancestor_paths(unit: OrgUnit) -> list[str]:
    """``A/B/C`` → ``["A", "A/B", "A/B/C"]``: the units whose audience includes ``unit``."""
    parts = unit.path.split(UNIT_SEPARATOR)
    return [UNIT_SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]


def audience_q(user: User) -> Q:
    """Campaigns whose audience includes ``user``: no units (everyone), or a unit at or
    above theirs. ``EXISTS`` on the campaign's units, so no join multiplies the rows."""
    targeted = Campaign.units.through.objects.filter(campaign_id=OuterRef("pk"))
    everyone = ~Exists(targeted)
    if user.unit_id is None:
        return everyone
    return everyone | Exists(targeted.filter(orgunit__path__in=ancestor_paths(user.unit)))


def campaigns_in_audience(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(audience_q(user))


OFFICIAL_POST, OFFICIAL_AUTHOR = "official_post", "official_author"


def _official_rows(parsed) -> list[QuerySet]:
    """``(kind, value)`` rows saying whether ``parsed`` is an official post: any campaign's
    (by normalised URL, or by platform post id in another URL shape), or a post whose
    author shown in the URL is an official account or the author of an official post."""
    same_post = Q(normalized_url=parsed.normalized_url)
    if parsed.post_id:
        same_post |= Q(platform=parsed.platform, post_id=parsed.post_id)
    rows = [
        CampaignPost.objects.filter(same_post)
        .values_list(Value(OFFICIAL_POST), "normalized_url")
        .order_by()
    ]
    if parsed.author_handle:
        rows += [
            CampaignPost.objects.filter(
                platform=parsed.platform, author_handle=parsed.author_handle
            )
            .values_list(Value(OFFICIAL_AUTHOR), "author_handle")
            .order_by(),
            OfficialAccount.objects.annotate(lower_handle=Lower("handle"))
            .filter(platform=parsed.platform, lower_handle=parsed.author_handle)
            .values_list(Value(OFFICIAL_AUTHOR), "handle")
            .order_by(),
        ]
    return rows


def _first_official(rows) -> tuple[str, str] | None:
    found = [(kind, value) for kind, value in rows if kind in (OFFICIAL_POST, OFFICIAL_AUTHOR)]
    found.sort(key=lambda row: row[0] != OFFICIAL_POST)  # the post itself says more
    return found[0] if found else None


def official_match(parsed) -> tuple[str, str] | None:
    """``(OFFICIAL_POST, url)`` or ``(OFFICIAL_AUTHOR, handle)`` when ``parsed`` (a
    ``platforms.ParsedUrl``) is an official post rather than someone's share of it;
    None otherwise. One query."""
    first, *rest = _official_rows(parsed)
    return _first_official(first.union(*rest, all=True) if rest else first)


def share_rules(
    campaign: Campaign, user: User, parsed=None
) -> tuple[bool, set[str], tuple[str, str] | None]:
    """What a new share of ``campaign`` by ``user`` must respect, in one query: whether
    the campaign's audience includes them, the platforms of its official posts and,
    given the share's ``parsed`` URL, whether it is an official post
    (``official_match``)."""
    posts = CampaignPost.objects.filter(campaign=campaign).values_list(Value("post"), "platform")
    units = Campaign.units.through.objects.filter(campaign=campaign)
    arms = [units.values_list(Value("unit"), "orgunit__path").order_by()]
    if parsed is not None:
        arms += _official_rows(parsed)
    rows = list(posts.order_by().union(*arms, all=True))
    platforms = {value for kind, value in rows if kind == "post"}
    audience = {value for kind, value in rows if kind == "unit"}
    mine = set(ancestor_paths(user.unit)) if user.unit_id is not None else set()
    return (not audience or bool(audience & mine)), platforms, _first_official(rows)


def active_campaigns_for(user: User) -> QuerySet[Campaign]:
    """Campaigns open today (organisation's time zone) whose audience includes ``user``,
    annotated with ``shared_by_me``."""
    today = timezone.localdate()
    mine = Share.objects.filter(campaign=OuterRef("pk"), staff=user)
    return (
        campaigns_in_audience(user)
        .filter(status=CampaignStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today)
        .annotate(shared_by_me=Exists(mine))
        .prefetch_related("posts")
        .order_by("-starts_on", "-pk")
    )


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """HR: every campaign. Others: the campaigns whose audience includes them (any
    status but draft)."""
    if user.is_hr_admin:
        return Campaign.objects.all()
    seen = audience_q(user) & ~Q(status=CampaignStatus.DRAFT)
    if user.role == Role.MANAGER:
        seen |= Q(created_by=user)  # their own department campaigns, drafts too
    return Campaign.objects.filter(seen)


def campaigns_run_by(user: User) -> QuerySet[Campaign]:
    """The department campaigns a manager created, newest first, with posts and units."""
    return (
        Campaign.objects.filter(created_by=user)
        .prefetch_related("posts", "units")
        .order_by("-starts_on", "-pk")
    )


def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    """``visible_campaigns`` annotated with ``shared_by_me`` (HR may share too)."""
    mine = Share.objects.filter(campaign=OuterRef("pk"), staff=user)
    return visible_campaigns(user).annotate(shared_by_me=Exists(mine))


def campaigns_for_hr() -> QuerySet[Campaign]:
    """Every campaign (HR's list), newest first, with its posts and units."""
    return Campaign.objects.prefetch_related("posts", "units").order_by("-starts_on", "-pk")


def with_share_counts(campaigns: list[Campaign]) -> list[Campaign]:
    """Set ``shared_count`` (people who logged a share) and ``verified_count`` (people
    with a verified share) on each campaign: one aggregate over these campaigns' shares
    only (a page of the list, through the campaign index), never over every share."""
    counts = {
        row["campaign_id"]: row
        for row in Share.objects.filter(campaign__in=campaigns)
        .order_by()
        .values("campaign_id")
        .annotate(
            shared=Count("staff_id", distinct=True),
            verified=Count("staff_id", filter=Q(status=ShareStatus.VERIFIED), distinct=True),
        )
    }
    for campaign in campaigns:
        row = counts.get(campaign.pk, {})
        campaign.shared_count = row.get("shared", 0)
        campaign.verified_count = row.get("verified", 0)
    return campaigns


def own_shares(user: User) -> QuerySet[Share]:
    """My shares, newest first (the model's ordering)."""
    return Share.objects.filter(staff=user).select_related("campaign", "replaced_by")


def own_shares_by_campaign(user: User, campaigns) -> dict[int, list[Share]]:
    """``user``'s shares of ``campaigns``, by campaign id, in platform order: one query."""
    by_campaign: dict[int, list[Share]] = {}
    for share in Share.objects.filter(staff=user, campaign__in=campaigns).order_by("platform"):
        by_campaign.setdefault(share.campaign_id, []).append(share)
    return by_campaign


def shares_visible_to(user: User) -> QuerySet[Share]:
    """Staff: their own shares; managers: their subtree's; HR: all."""
    if user.is_hr_admin:
        return Share.objects.all()
    return Share.objects.filter(staff__in=account_selectors.users_visible_to(user))


# --- campaign progress (set-based: a few queries whatever the audience size) --------------


def audience_of(campaign: Campaign, viewer: User) -> QuerySet[User]:
    """Active staff the campaign is meant for (its units' subtrees, or everyone),
    narrowed to the people ``viewer`` may see (a manager: their subtree)."""
    people = User.objects.filter(is_active=True)
    units = list(campaign.units.all())
    if units:
        in_units = Q()
        for unit in units:
            in_units |= account_selectors.unit_scope_q(unit)
        people = people.filter(in_units)
    if not viewer.is_hr_admin:
        people = people.filter(pk__in=account_selectors.users_visible_to(viewer).values("pk"))
    return people


def _shares_of_person(campaign: Campaign) -> QuerySet[Share]:
    return Share.objects.filter(campaign=campaign, staff=OuterRef("pk"))


def campaign_progress(campaign: Campaign, people: QuerySet[User]) -> dict[str, int]:
    """Audience size, how many shared (≥1 share), how many have a verified share."""
    shares = _shares_of_person(campaign)
    counts = people.aggregate(
        audience=Count("pk"),
        shared=Count("pk", filter=Exists(shares)),
        verified=Count("pk", filter=Exists(shares.filter(status=ShareStatus.VERIFIED))),
    )
    counts["not_shared"] = counts["audience"] - counts["shared"]
    return counts


def not_shared(campaign: Campaign, people: QuerySet[User]) -> QuerySet[User]:
    return people.exclude(Exists(_shares_of_person(campaign))).order_by(
        F("unit__path").asc(nulls_last=True), "full_name", "staff_id"
    )


# --- a share's submission: every check in one statement ------------------------------------


class SubmissionFacts:
    """What a new share of one campaign by one person must respect, read in one
    statement (``submission_facts``): the campaign (None when there is no such id), whether
    the person may see it, whether its audience includes them, the platforms of its
    official posts, whether the share's URL is an official post (``official_match``), and
    whether any share already holds the post or the person's live slot of the campaign on
    that platform (then ``campaigns.services`` reads them as before, to answer)."""

    __slots__ = ("campaign", "existing", "in_audience", "official", "post_platforms", "visible")

    def __init__(self, campaign, visible, in_audience, post_platforms, official, existing):
        self.campaign = campaign
        self.visible = visible
        self.in_audience = in_audience
        self.post_platforms = post_platforms
        self.official = official
        self.existing = existing


# Above this, no campaign id can match (bigint): answered without a query.
MAX_ID = 2**63 - 1


def submission_values(user: User, campaign_id: int, parsed) -> dict:
    """The named parameters of the submission's rules (``_rule_sources``,
    ``_existing_sql``; ``submission_guard`` adds ``today`` and ``unit_paths``)."""
    return {
        "campaign": campaign_id,
        "user": user.pk,
        "normalized_url": parsed.normalized_url,
        "platform": parsed.platform,
        "post_id": parsed.post_id,
        "author_handle": parsed.author_handle,
    }


def _rule_sources(with_post_id: bool, with_author: bool) -> dict[str, str]:
    """``FROM … WHERE …`` of the rows each rule of a new share reads, the one text that
    ``_submission_sql`` (which returns the rows) and ``submission_guard`` (which tests
    them) are built from: the campaign's official posts (``post``: their platforms), its
    audience's units (``unit``), an official post that is the share's URL (by normalised
    URL, or by platform post id in another URL shape) and, when the URL shows an author,
    an official post by that author or an official account with that handle."""
    post = CampaignPost._meta.db_table
    units = Campaign.units.through._meta.db_table
    unit = OrgUnit._meta.db_table
    account = OfficialAccount._meta.db_table
    official_post = "p.normalized_url = %(normalized_url)s"
    if with_post_id:
        official_post = (
            f"({official_post} OR (p.platform = %(platform)s AND p.post_id = %(post_id)s))"
        )
    sources = {
        "post": f"{post} p WHERE p.campaign_id = %(campaign)s",
        "unit": f"{units} cu INNER JOIN {unit} o ON o.id = cu.orgunit_id"
        " WHERE cu.campaign_id = %(campaign)s",
        OFFICIAL_POST: f"{post} p WHERE {official_post}",
    }
    if with_author:
        sources["author_post"] = (
            f"{post} p WHERE p.platform = %(platform)s AND p.author_handle = %(author_handle)s"
        )
        sources["author_account"] = (
            f"{account} a WHERE a.platform = %(platform)s AND LOWER(a.handle) = %(author_handle)s"
        )
    return sources


def _existing_sql(with_post_id: bool) -> str:
    """Whether a share already holds the post (its normalised URL; its platform post id)
    or the person's live slot of campaign ``c`` on that platform: what
    ``services._check_existing`` reads. Three EXISTS rather than one OR, so each uses
    its own index."""
    share = Share._meta.db_table
    return (
        f"EXISTS (SELECT 1 FROM {share} s WHERE s.normalized_url = %(normalized_url)s)"
        + (
            f" OR EXISTS (SELECT 1 FROM {share} s"
            " WHERE s.platform = %(platform)s AND s.post_id = %(post_id)s)"
            if with_post_id
            else ""
        )
        + f" OR EXISTS (SELECT 1 FROM {share} s WHERE s.staff_id = %(user)s"
        f" AND s.campaign_id = c.id AND s.platform = %(platform)s"
        f" AND s.status <> '{ShareStatus.REPLACED}')"
    )


def _submission_sql(with_post_id: bool, with_author: bool) -> str:
    campaign = Campaign._meta.db_table
    source = _rule_sources(with_post_id, with_author)
    arms = [
        f"SELECT 'campaign' AS kind, c.status AS value, CAST(c.starts_on AS TEXT) AS v2,"
        f" CAST(c.ends_on AS TEXT) AS v3, c.created_by_id AS n,"
        f" CASE WHEN {_existing_sql(with_post_id)} THEN 1 ELSE 0 END AS e"
        f" FROM {campaign} c WHERE c.id = %(campaign)s",
        f"SELECT 'post', p.platform, NULL, NULL, NULL, NULL FROM {source['post']}",
        f"SELECT 'unit', o.path, NULL, NULL, NULL, NULL FROM {source['unit']}",
        f"SELECT '{OFFICIAL_POST}', p.normalized_url, NULL, NULL, NULL, NULL"
        f" FROM {source[OFFICIAL_POST]}",
    ]
    if with_author:
        arms += [
            f"SELECT '{OFFICIAL_AUTHOR}', p.author_handle, NULL, NULL, NULL, NULL"
            f" FROM {source['author_post']}",
            f"SELECT '{OFFICIAL_AUTHOR}', a.handle, NULL, NULL, NULL, NULL"
            f" FROM {source['author_account']}",
        ]
    return " UNION ALL ".join(arms)


def submission_guard(with_post_id: bool, with_author: bool) -> str:
    """The condition on campaign ``c`` (named parameters: ``submission_values`` with
    ``today``, ``timezone.localdate()``, and ``unit_paths``, the person's unit's
    ``ancestor_paths`` or ``[]``) that holds exactly when ``campaigns.services`` would
    log the share as a brand-new one with nothing to replace, rule for rule:

    * ``c.id`` is the campaign and it is open today: ``Campaign.is_open_on(today)``;
    * its audience includes the person: no units, or one of ``unit_paths``, as
      ``SubmissionFacts.in_audience``;
    * the URL is no official post or author: no row of the official arms of
      ``_submission_sql`` (``SubmissionFacts.official`` None);
    * its platform is allowed: no official posts, or one on that platform (the check
      on ``SubmissionFacts.post_platforms``);
    * nothing holds the post or the person's live slot (``_existing_sql`` false, so
      ``_check_existing`` would find nothing and no share is replaced).

    Visibility (``visible_campaigns``, checked first by the API) needs no term of its
    own: a campaign open today is active, so not a draft, and with the person in its
    audience everyone sees it (HR admins see every campaign, managers their own too).
    Every rule reads the same rows (``_rule_sources``, ``_existing_sql``) as
    ``submission_facts``."""
    return " AND ".join(_guard_conditions(with_post_id, with_author))


def _guard_conditions(with_post_id: bool, with_author: bool) -> list[str]:
    """The terms of ``submission_guard``, one a rule."""
    source = _rule_sources(with_post_id, with_author)
    conditions = [
        "c.id = %(campaign)s",
        f"c.status = '{CampaignStatus.ACTIVE}'",
        "c.starts_on <= %(today)s AND c.ends_on >= %(today)s",
        f"(NOT EXISTS (SELECT 1 FROM {source['unit']}) OR EXISTS (SELECT 1 FROM"
        f" {source['unit']} AND o.path = ANY(CAST(%(unit_paths)s AS varchar[]))))",
        f"NOT EXISTS (SELECT 1 FROM {source[OFFICIAL_POST]})",
    ]
    if with_author:
        conditions += [
            f"NOT EXISTS (SELECT 1 FROM {source['author_post']})",
            f"NOT EXISTS (SELECT 1 FROM {source['author_account']})",
        ]
    conditions += [
        f"(NOT EXISTS (SELECT 1 FROM {source['post']}) OR EXISTS (SELECT 1 FROM"
        f" {source['post']} AND p.platform = %(platform)s))",
        f"NOT ({_existing_sql(with_post_id)})",
    ]
    return conditions


def guard_values(user: User, campaign_id: int, parsed) -> dict:
    """The named parameters of ``submission_guard``."""
    values = submission_values(user, campaign_id, parsed)
    values["today"] = timezone.localdate()
    values["unit_paths"] = ancestor_paths(user.unit) if user.unit_id is not None else []
    return values


_SQL: dict[tuple[bool, bool], str] = {}


def submission_facts(user: User, campaign_id: int, parsed) -> SubmissionFacts:
    """Everything ``campaigns.services`` checks before logging ``user``'s share of the
    campaign ``campaign_id`` at the ``parsed`` URL, in one statement: the same rules as
    ``visible_campaigns``, ``share_rules`` and ``official_match``, and whether
    ``services._check_existing`` would find anything."""
    none = SubmissionFacts(None, False, False, set(), None, False)
    if not 0 < campaign_id <= MAX_ID:
        return none
    key = (bool(parsed.post_id), bool(parsed.author_handle))
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = _submission_sql(*key)
    with connection.cursor() as cursor:
        # Prepared once per connection (each named value sent once): planning it cost
        # PostgreSQL more than running it.
        cursor.execute(
            prepared.statement(connection, sql), submission_values(user, campaign_id, parsed)
        )
        rows = cursor.fetchall()
    campaign, existing = None, False
    post_platforms: set[str] = set()
    audience: set[str] = set()
    official_rows = []
    for kind, value, starts_on, ends_on, created_by_id, found in rows:
        if kind == "campaign":
            loaded = {
                "id": campaign_id,
                "status": value,
                "starts_on": _date(starts_on),
                "ends_on": _date(ends_on),
                "created_by_id": created_by_id,
            }
            # The other fields are deferred: read from the database if anything asks.
            campaign = Campaign.from_db(
                connection.alias,
                list(loaded),
                [loaded[f.attname] for f in Campaign._meta.concrete_fields if f.attname in loaded],
            )
            existing = bool(found)
        elif kind == "post":
            post_platforms.add(value)
        elif kind == "unit":
            audience.add(value)
        else:
            official_rows.append((kind, value))
    if campaign is None:
        return none
    mine = set(ancestor_paths(user.unit)) if user.unit_id is not None else set()
    in_audience = not audience or bool(audience & mine)
    if user.is_hr_admin:
        visible = True
    else:
        visible = (in_audience and campaign.status != CampaignStatus.DRAFT) or (
            user.role == Role.MANAGER and campaign.created_by_id == user.pk
        )
    return SubmissionFacts(
        campaign, visible, in_audience, post_platforms, _first_official(official_rows), existing
    )


def _date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])
