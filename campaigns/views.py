"""HTML pages for campaigns and shares. Thin: writes go through services,
reads through selectors; who may open what comes from accounts.permissions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import manager_or_hr_required
from sharekpi.csvexport import csv_response

from . import bookmarklet as bookmarklet_code
from . import hooks, platforms, selectors, services, share_target
from .forms import CampaignForm, ShareForm, form_source
from .models import Campaign, CampaignStatus, Share, ShareSource, ShareStatus

CAMPAIGNS_PER_PAGE = 50
PEOPLE_PER_PAGE = 50
SHARES_PER_PAGE = 50
# Statuses whose reason the staff member needs to read.
STATUSES_WITH_REASON = frozenset(
    s.value
    for s in (
        ShareStatus.NEEDS_REVIEW,
        ShareStatus.REJECTED,
        ShareStatus.REMOVED,
        ShareStatus.REPLACED,
    )
)
NOT_SHARED_CSV_HEADER = ["staff_id", "full_name", "email", "unit"]


def _campaign_for_progress(request, pk: int) -> Campaign:
    """HR: any campaign. Managers: campaigns staff can see (not drafts), and their own."""
    campaign = get_object_or_404(Campaign.objects.prefetch_related("posts", "units"), pk=pk)
    if (
        not request.user.is_hr_admin
        and campaign.status == CampaignStatus.DRAFT
        and campaign.created_by_id != request.user.pk
    ):
        raise Http404
    return campaign


def _campaign_to_manage(request, pk: int) -> Campaign:
    """A campaign the person may edit or close (HR: any; a manager: their own)."""
    campaign = get_object_or_404(Campaign, pk=pk)
    if not services.may_manage_campaign(request.user, campaign):
        raise PermissionDenied(_("You may not change this campaign."))
    return campaign


# --- /campaigns/ ------------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request):
    """HR: every campaign, to manage. Everyone else: what to share now."""
    if request.user.is_hr_admin:
        return _hr_campaign_list(request)
    if request.GET.get("run") == "mine" and services.may_run_campaigns(request.user):
        return _hr_campaign_list(request, selectors.campaigns_run_by(request.user))
    return _to_share(request)


def _hr_campaign_list(request, campaigns=None):
    """HR: every campaign. A manager: the department campaigns they run."""
    campaigns = selectors.campaigns_for_hr() if campaigns is None else campaigns
    status = request.GET.get("status", "")
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    page = Paginator(campaigns, CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_share_counts(list(page.object_list))
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page": page, "status": status, "statuses": CampaignStatus.choices},
    )


def _to_share(request):
    campaigns = list(selectors.active_campaigns_for(request.user))
    my_shares = selectors.own_shares_by_campaign(request.user, campaigns)
    items = [{"campaign": c, "my_shares": my_shares.get(c.pk, [])} for c in campaigns]
    return render(
        request,
        "campaigns/campaign_to_share.html",
        {"items": items, "may_run_campaigns": services.may_run_campaigns(request.user)},
    )


# --- HR: create, edit, close -----------------------------------------------------------------


def _save_campaign_form(request, form: CampaignForm, campaign: Campaign | None):
    if not form.is_valid():
        return None
    values = form.campaign_input(publish=bool(request.POST.get("publish")))
    try:
        saved = services.save_campaign(actor=request.user, values=values, campaign=campaign)
    except services.CampaignInvalid as exc:
        form.add_service_errors(exc.errors)
        return None
    return saved


@manager_or_hr_required
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    if not services.may_run_campaigns(request.user):
        raise PermissionDenied(_("HR has not let managers of your unit run campaigns."))
    form = CampaignForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST":
        campaign = _save_campaign_form(request, form, None)
        if campaign is not None:
            if campaign.status == CampaignStatus.ACTIVE:
                message = _("Campaign “%(title)s” is published: its audience can share it now.")
            else:
                message = _(
                    "Campaign “%(title)s” is saved as a draft: staff do not see it until you "
                    "publish it."
                )
            messages.success(request, message % {"title": campaign.title})
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@manager_or_hr_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int):
    campaign = _campaign_to_manage(request, pk)
    if request.method == "POST":
        form = CampaignForm(request.POST, user=request.user)
        saved = _save_campaign_form(request, form, campaign)
        if saved is not None:
            messages.success(request, _("Campaign “%(title)s” saved.") % {"title": saved.title})
            return redirect("campaigns:campaign_detail", pk=saved.pk)
    else:
        form = CampaignForm(initial=CampaignForm.initial_for(campaign), user=request.user)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@manager_or_hr_required
@require_POST
def campaign_publish(request, pk: int):
    campaign = _campaign_to_manage(request, pk)
    if campaign.status != CampaignStatus.DRAFT:
        messages.info(
            request,
            _("“%(title)s” is not a draft: nothing to publish.") % {"title": campaign.title},
        )
    else:
        services.publish_campaign(campaign=campaign, actor=request.user)
        messages.success(
            request,
            _("“%(title)s” is published: its audience can share it now.")
            % {"title": campaign.title},
        )
    return redirect("campaigns:campaign_detail", pk=campaign.pk)


@manager_or_hr_required
@require_POST
def campaign_close(request, pk: int):
    campaign = _campaign_to_manage(request, pk)
    if campaign.status == CampaignStatus.CLOSED:
        messages.info(request, _("“%(title)s” was already closed.") % {"title": campaign.title})
    else:
        services.close_campaign(campaign=campaign, actor=request.user)
        messages.success(
            request,
            _("“%(title)s” is closed: staff can no longer log shares for it.")
            % {"title": campaign.title},
        )
    return redirect("campaigns:campaign_list")


# --- progress: HR (everyone) and managers (their subtree) ----------------------------------


@manager_or_hr_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = _campaign_for_progress(request, pk)
    people = selectors.audience_of(campaign, request.user)
    progress = selectors.campaign_progress(campaign, people)
    page = Paginator(selectors.not_shared(campaign, people).select_related("unit"), PEOPLE_PER_PAGE)
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "page": page.get_page(request.GET.get("page")),
            "scoped_unit": None if request.user.is_hr_admin else request.user.unit,
            "may_manage": services.may_manage_campaign(request.user, campaign),
        },
    )


@manager_or_hr_required
@require_GET
def campaign_not_shared_csv(request, pk: int):
    campaign = _campaign_for_progress(request, pk)
    rows = (
        selectors.not_shared(campaign, selectors.audience_of(campaign, request.user))
        .values_list("staff_id", "full_name", "email", "unit__path")
        .iterator(chunk_size=2000)
    )
    return csv_response(
        header=NOT_SHARED_CSV_HEADER,
        rows=rows,
        filename=f"campaign-{campaign.pk}-not-shared.csv",
    )


# --- staff: log a share, my shares ------------------------------------------------------------


def default_campaign(campaigns: list[Campaign], *, wanted: str | None, url: str) -> Campaign | None:
    """The campaign asked for; else the newest open one with a post on the link's
    platform; else the newest open one."""
    by_pk = {str(c.pk): c for c in campaigns}
    if wanted and wanted in by_pk:
        return by_pk[wanted]
    if url:
        try:
            platform = platforms.parse(url).platform
        except platforms.InvalidShareUrl:
            platform = None
        for campaign in campaigns:
            if any(post.platform == platform for post in campaign.posts.all()):
                return campaign
    return campaigns[0] if campaigns else None


def my_share_url(share: Share) -> str:
    """Where a share appears in My shares (its page and row)."""
    newer = (
        Share.objects.filter(staff_id=share.staff_id)
        .filter(
            Q(submitted_at__gt=share.submitted_at)
            | Q(submitted_at=share.submitted_at, pk__gt=share.pk)
        )
        .count()
    )
    page = newer // SHARES_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{reverse('campaigns:my_shares')}{query}#share-{share.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def share_create(request):
    """The prefilled share form the bookmarklet (and the phone share target) open."""
    campaigns = selectors.active_campaigns_for(request.user)
    duplicate_url = None
    shared_notice = ""
    if request.method == "POST":
        form = ShareForm(request.POST, campaigns=campaigns)
        if form.is_valid():
            try:
                services.submit_share(
                    staff=request.user,
                    campaign=form.cleaned_data["campaign"],
                    url=form.cleaned_data["url"],
                    source=form.cleaned_data["source"],
                )
            except services.ShareRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            except services.DuplicateShare as exc:
                form.add_error("url", exc.message)
                if exc.own:
                    duplicate_url = my_share_url(exc.existing)
            else:
                messages.success(request, _("Share logged — we are checking it."))
                return redirect("campaigns:my_shares")
        open_campaigns = list(campaigns)
    else:
        open_campaigns = list(campaigns)
        source = form_source(request.GET.get("source"))
        if share_target.is_share_target_request(request.GET):
            # The phone's share sheet: the link may be in url, text or title.
            source = ShareSource.SHARE_TARGET.value
            shared = share_target.find_shared_link(
                **{name: request.GET.get(name, "") for name in share_target.PARAMS}
            )
            url = shared.url
            shared_notice = _shared_link_notice(shared)
        else:
            url = request.GET.get("url", "").strip()[: platforms.MAX_URL_LENGTH]
        campaign = default_campaign(open_campaigns, wanted=request.GET.get("campaign"), url=url)
        form = ShareForm(
            initial={"campaign": campaign.pk if campaign else None, "url": url, "source": source},
            campaigns=campaigns,
        )
    return render(
        request,
        "campaigns/share_form.html",
        {
            "form": form,
            "has_campaigns": bool(open_campaigns),
            "duplicate_url": duplicate_url,
            "shared_notice": shared_notice,
        },
    )


def _shared_link_notice(shared: share_target.SharedLink) -> str:
    """What to tell a person whose phone shared no usable post link."""
    if not shared.url:
        return _(
            "We found no link in what your phone shared. Open your own post, "
            "use Share → Copy link, and paste the link below."
        )
    if not shared.is_platform_post:
        return _("The link your phone shared cannot be logged. %(reason)s") % {
            "reason": shared.reason
        }
    return ""


@login_required
@require_GET
def my_shares(request):
    page = Paginator(selectors.own_shares(request.user), SHARES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    # verification adds each rejected or removed share's appeal (or its deadline).
    hooks.annotate_own_shares(request.user, page.object_list)
    return render(
        request,
        "campaigns/share_list.html",
        {"page": page, "statuses_with_reason": STATUSES_WITH_REASON},
    )


# --- bookmarklet ------------------------------------------------------------------------------


@login_required
@require_GET
def bookmarklet(request):
    origin = bookmarklet_code.site_origin(request)
    return render(
        request,
        "campaigns/bookmarklet.html",
        {
            "bookmarklet_href": bookmarklet_code.bookmarklet_js(origin),
            # What an iOS Shortcut opens, followed by the URL-encoded shared text.
            "shortcut_address": (
                f"{origin}{reverse('campaigns:share_create')}"
                f"?source={ShareSource.SHARE_TARGET}&text="
            ),
        },
    )


# --- the installable app and its share target -------------------------------------------------

THEME_COLOUR = "#1f5fbf"
BACKGROUND_COLOUR = "#f5f7fa"


@require_GET
def web_app_manifest(request):
    """/manifest.webmanifest: installs ShareKPI on a phone's home screen and puts it in
    the phone's share sheet, which opens the prefilled share form (see share_target).

    Public (browsers fetch manifests without cookies); in the request's language."""
    icons = [
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": static("icons/icon-maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    manifest = {
        "id": "/",
        "name": "ShareKPI",
        "short_name": "ShareKPI",
        "description": _("Log your shares of official posts and see your KPI points."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
        "share_target": {
            "action": reverse("campaigns:share_create"),
            "method": "GET",
            "params": {name: name for name in ("title", "text", "url")},
        },
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    patch_vary_headers(response, ["Accept-Language"])
    return response
