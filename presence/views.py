"""HTML pages of social presence: HR's required platforms, must-follow accounts and
spot checks; everyone's "I follow". Thin: writes through services, reads through
selectors, access from accounts.permissions."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import SocialAccount
from accounts.permissions import hr_admin_required
from campaigns.models import OfficialAccount
from sharekpi.screenshots import screenshot_response

from . import selectors, services
from .forms import (
    FollowForm,
    OfficialAccountForm,
    ProofDecisionForm,
    RequiredPlatformsForm,
    SpotCheckDrawForm,
    SpotCheckMarkForm,
)
from .models import (
    FollowConfirmation,
    FollowRequirement,
    RequiredPlatforms,
    SpotCheck,
    SpotCheckKind,
    SpotCheckResult,
)

SPOT_CHECKS_PER_PAGE = 50


def _refused(form, exc: services.PresenceRefused) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- required platforms (HR) ----------------------------------------------------------------


@hr_admin_required
@require_http_methods(["GET", "POST"])
def required_platforms(request):
    """Which platforms each unit's people must have an account on (inherited down)."""
    if request.method == "POST":
        form = RequiredPlatformsForm(request.POST)
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            wanted = None if form.cleaned_data["inherit"] else form.cleaned_data["platforms"]
            try:
                services.set_required_platforms(unit=unit, platforms=wanted, actor=request.user)
            except services.PresenceRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Saved for %(unit)s.") % {"unit": unit.path})
                return redirect("presence:required_platforms")
    else:
        form = RequiredPlatformsForm(initial=_unit_initial(request.GET.get("unit")))
    rows = selectors.required_platforms_overview()
    for row in rows:
        row["labels"] = selectors.platform_labels(row["platforms"])
        row["own_labels"] = None if row["own"] is None else selectors.platform_labels(row["own"])
    paginator = Paginator(rows, 200)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "presence/required_platforms.html", {"form": form, "page": page})


def _unit_initial(value: str | None) -> dict:
    """The form filled in for ``?unit=`` (a link from the table): its own setting."""
    unit = account_selectors.find_unit(value) if value else None
    if unit is None:
        return {}
    own = RequiredPlatforms.objects.filter(unit=unit).values_list("platforms", flat=True).first()
    return {"unit": unit.pk, "platforms": own or [], "inherit": own is None}


# --- must-follow official accounts (HR) -----------------------------------------------------


def _save_official(request, form, account=None):
    data = form.cleaned_data
    return services.save_official_account(
        actor=request.user,
        platform=data["platform"],
        handle=data["handle"],
        name=data["name"],
        must_follow=data["must_follow"],
        units=data["units"],
        account=account,
    )


@hr_admin_required
@require_http_methods(["GET", "POST"])
def must_follow(request):
    """The official accounts, who must follow each, and how many confirm they do."""
    if request.method == "POST":
        form = OfficialAccountForm(request.POST)
        if form.is_valid():
            try:
                account = _save_official(request, form)
            except services.PresenceRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("%(account)s added.") % {"account": account})
                return redirect("presence:must_follow")
    else:
        form = OfficialAccountForm()
    context = {"form": form, "accounts": selectors.official_accounts_for_hr()}
    return render(request, "presence/must_follow.html", context)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def must_follow_edit(request, pk: int):
    account = get_object_or_404(OfficialAccount, pk=pk)
    requirement = FollowRequirement.objects.filter(official_account=account).first()
    if request.method == "POST":
        form = OfficialAccountForm(request.POST)
        if form.is_valid():
            try:
                account = _save_official(request, form, account)
            except services.PresenceRefused as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("%(account)s saved.") % {"account": account})
                return redirect("presence:must_follow")
    else:
        form = OfficialAccountForm(
            initial={
                "platform": account.platform,
                "handle": account.handle,
                "name": account.name,
                "must_follow": bool(requirement and requirement.must_follow),
                "units": list(requirement.units.all()) if requirement else [],
            }
        )
    return render(request, "presence/must_follow_edit.html", {"form": form, "account": account})


# --- "I follow" (everyone) ------------------------------------------------------------------


def _back(request, default: str = "me:my_accounts"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_http_methods(["GET", "POST"])
def follow(request, pk: int):
    """Confirm "I follow" an official account I am asked to follow (with an optional
    screenshot), or take it back."""
    account = get_object_or_404(selectors.must_follow_for(request.user), pk=pk)
    confirmation = selectors.confirmations_of(request.user, [account]).get(account.pk)
    if request.method == "POST":
        following = request.POST.get("following", "yes") != "no"
        form = FollowForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.set_follow(
                    user=request.user,
                    official_account=account,
                    following=following,
                    screenshot=form.cleaned_data.get("screenshot") if following else None,
                )
            except services.PresenceRefused as exc:
                _refused(form, exc)
            else:
                if following:
                    messages.success(
                        request,
                        _("Thank you: you confirmed following %(account)s.") % {"account": account},
                    )
                else:
                    messages.info(
                        request,
                        _("You no longer confirm following %(account)s.") % {"account": account},
                    )
                return _back(request)
    else:
        form = FollowForm()
    context = {"account": account, "confirmation": confirmation, "form": form}
    return render(request, "presence/follow.html", context)


@login_required
@require_GET
def follow_screenshot(request, pk: int):
    """A follow confirmation's screenshot: its owner and HR only (others: 404)."""
    confirmations = FollowConfirmation.objects.all()
    if not request.user.is_hr_admin:
        confirmations = confirmations.filter(user=request.user)
    confirmation = get_object_or_404(confirmations, pk=pk)
    if not confirmation.screenshot:
        raise Http404
    return screenshot_response(
        confirmation.screenshot, filename=f"follow-{confirmation.pk}-screenshot"
    )


# --- spot checks (HR) ------------------------------------------------------------------------


def _month_of(value: str | None) -> datetime.date:
    today = selectors.month_start(timezone.localdate())
    if value:
        try:
            return selectors.month_start(datetime.datetime.strptime(value[:7], "%Y-%m").date())
        except ValueError:
            pass
    return today


@hr_admin_required
@require_GET
def spot_checks(request):
    """A month's random sample: each profile to open and mark, and the ownership
    screenshots waiting for HR."""
    month = _month_of(request.GET.get("month"))
    result = request.GET.get("result", "")
    if result not in SpotCheckResult.values:
        result = ""
    checks = selectors.spot_checks_of_month(month, result=result)
    page = Paginator(checks, SPOT_CHECKS_PER_PAGE).get_page(request.GET.get("page"))
    _add_handles(page.object_list)
    context = {
        "month": month,
        "result": result,
        "results": SpotCheckResult.choices,
        "counts": selectors.spot_check_month_counts(month),
        "page": page,
        "extra_query": f"month={month:%Y-%m}&result={result}&",
        "draw_form": SpotCheckDrawForm(initial={"month": month, "percent": 5, "accounts": True}),
        "mark_form": SpotCheckMarkForm(),
        "awaiting": account_selectors.accounts_awaiting_spot_check(request.user)[:50],
    }
    return render(request, "presence/spot_checks.html", context)


def _add_handles(checks) -> None:
    """Set ``handle`` on each follow check: the person's own account on the official
    account's platform, the name HR looks for among its followers (one query)."""
    checks = list(checks)
    wanted = {c.user_id for c in checks if c.kind == SpotCheckKind.FOLLOW}
    handles = {
        (row.user_id, row.platform): row for row in SocialAccount.objects.filter(user_id__in=wanted)
    }
    for check in checks:
        platform = check.official_account.platform if check.official_account_id else None
        check.handle = handles.get((check.user_id, platform))


@hr_admin_required
@require_POST
def spot_check_draw(request):
    form = SpotCheckDrawForm(request.POST)
    month = _month_of(request.POST.get("month"))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(f"{_spot_checks_url()}?month={month:%Y-%m}")
    month = selectors.month_start(form.cleaned_data["month"])
    try:
        drawn = services.draw_spot_checks(
            actor=request.user,
            month=month,
            percent=form.cleaned_data["percent"],
            accounts=form.cleaned_data["accounts"],
        )
    except services.PresenceRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Drawn for %(month)s: %(follows)s, %(accounts)s.")
            % {
                "month": month.strftime("%Y-%m"),
                "follows": ngettext(
                    "%(count)s follow confirmation",
                    "%(count)s follow confirmations",
                    drawn["follow"],
                )
                % {"count": drawn["follow"]},
                "accounts": ngettext(
                    "%(count)s own account", "%(count)s own accounts", drawn["account"]
                )
                % {"count": drawn["account"]},
            },
        )
    return redirect(f"{_spot_checks_url()}?month={month:%Y-%m}")


def _spot_checks_url() -> str:
    return reverse("presence:spot_checks")


@hr_admin_required
@require_POST
def spot_check_mark(request, pk: int):
    check = get_object_or_404(SpotCheck, pk=pk)
    form = SpotCheckMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Mark it confirmed or not found."))
    else:
        try:
            services.mark_spot_check(
                spot_check=check,
                actor=request.user,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            )
        except services.PresenceRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Marked."))
    return _back(request, default="presence:spot_checks")


@hr_admin_required
@require_POST
def proof_decide(request, pk: int):
    """HR looked at an ownership screenshot: the code is there (proven) or not."""
    account = get_object_or_404(SocialAccount, pk=pk)
    form = ProofDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirmed or not found."))
        return redirect("presence:spot_checks")
    try:
        account_services.decide_proof_spot_check(
            account=account,
            actor=request.user,
            confirmed=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
    except account_services.AccountRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked."))
    return redirect("presence:spot_checks")
