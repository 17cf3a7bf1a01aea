"""Read queries for campaigns and shares, scoped by who asks."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import UNIT_SEPARATOR, OrgUnit, Role, User

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
