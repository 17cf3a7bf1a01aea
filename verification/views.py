"""HR review pages (the queue of shares in review, verification policies) and the
screenshot a member of staff attaches to their own share in review.

Thin: the rules live in verification.review, .policies and .screenshots. Access: the
queue, decisions and policies are HR only; a screenshot is uploaded by the share's owner and shown
only to the owner and HR, through ``screenshot`` (never a public media URL).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import OrgUnit, Platform
from accounts.permissions import hr_admin_required
from campaigns.models import Campaign, Share, ShareStatus
from sharekpi.errors import bad_request
from sharekpi.screenshots import screenshot_response

from . import appeals, policies, review, screenshots, selectors
from .models import Appeal, AppealStatus, ReviewDecision, VerificationPolicy

SHARES_PER_PAGE = 50


class ReviewFilterForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Reason contains"), required=False, max_length=200)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.order_by("-starts_on", "title"),
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=gettext_lazy("This unit and every unit below it."),
    )
    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"),
        choices=[("", gettext_lazy("Any platform")), *Platform.choices],
        required=False,
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        choices=[
            ("oldest", gettext_lazy("Oldest first")),
            ("newest", gettext_lazy("Newest first")),
        ],
        required=False,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"), choices=ReviewDecision.Decision.choices
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=2000, widget=forms.Textarea
    )


class PolicyForm(forms.Form):
    platform = forms.ChoiceField(label=gettext_lazy("Platform"), choices=Platform.choices)
    policy = forms.ChoiceField(label=gettext_lazy("Policy"), choices=VerificationPolicy.choices)
    sample_percent = forms.IntegerField(label=gettext_lazy("Sample %"), min_value=0, max_value=100)


class ScreenshotForm(forms.Form):
    screenshot = forms.FileField(
        label=gettext_lazy("Screenshot of your post"),
        help_text=gettext_lazy("PNG, JPEG, WebP or GIF, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )


def _back_to(request, fallback: str):
    """Where a decision returns to: the list with the filters HR was using."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


def _back_to_queue(request):
    return _back_to(request, "review:review_queue")


@require_GET
@hr_admin_required
def review_queue(request):
    order = request.GET.get("sort") or review.DEFAULT_QUEUE_ORDER
    if order not in review.QUEUE_ORDERS:
        return bad_request(
            request,
            _("Unknown order “%(sort)s”: sort may be “oldest” or “newest”.")
            % {"sort": request.GET["sort"]},
        )
    form = ReviewFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    shares = review.shares_in_review(
        text=(filters.get("text") or "").strip(),
        campaign_id=filters["campaign"].pk if filters.get("campaign") else None,
        unit=filters.get("unit"),
        platform=filters.get("platform") or "",
        order=order,
    )
    page = Paginator(shares, SHARES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for share in page.object_list:
        share.official_post = review.official_post_of(share)
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    other_order = "newest" if order == "oldest" else "oldest"
    other_order_query = {k: v for k, v in kept.items() if k != "sort"}
    if other_order != review.DEFAULT_QUEUE_ORDER:
        other_order_query["sort"] = other_order
    return render(
        request,
        "verification/review_queue.html",
        {
            "form": form,
            "page": page,
            "extra_query": (urlencode(kept) + "&") if kept else "",
            "here": request.get_full_path(),
            "decisions": ReviewDecision.Decision.choices,
            "order": order,
            "other_order_url": reverse("review:review_queue")
            + ("?" + urlencode(other_order_query) if other_order_query else ""),
        },
    )


@require_POST
@hr_admin_required
def review_decide(request, pk: int):
    share = get_object_or_404(Share, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Share #%(pk)s: choose approve or reject.") % {"pk": pk})
        return _back_to_queue(request)
    try:
        review.decide(
            share=share,
            reviewer=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except review.ReviewRefused as exc:
        messages.error(request, _("Share #%(pk)s: %(why)s") % {"pk": pk, "why": exc.message})
    else:
        if form.cleaned_data["decision"] == "approve":
            done = _("Share #%(pk)s of %(person)s approved.")
        else:
            done = _("Share #%(pk)s of %(person)s rejected.")
        messages.success(request, done % {"pk": pk, "person": share.staff})
    return _back_to_queue(request)


@require_POST
@hr_admin_required
def review_bulk(request):
    form = DecisionForm(request.POST)
    share_ids = [int(v) for v in request.POST.getlist("share") if v.isascii() and v.isdigit()]
    if not share_ids:
        messages.error(request, _("Tick at least one share first."))
        return _back_to_queue(request)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return _back_to_queue(request)
    try:
        result = review.bulk_decide(
            share_ids=share_ids,
            reviewer=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except review.ReviewRefused as exc:
        messages.error(request, exc.message)
        return _back_to_queue(request)
    count = len(result.decided)
    if form.cleaned_data["decision"] == "approve":
        done = ngettext("%(count)s share approved.", "%(count)s shares approved.", count)
    else:
        done = ngettext("%(count)s share rejected.", "%(count)s shares rejected.", count)
    messages.success(request, done % {"count": count})
    if result.skipped:
        messages.warning(
            request,
            _("Skipped: %(shares)s")
            % {"shares": "; ".join(f"#{share_id} ({why})" for share_id, why in result.skipped)},
        )
    return _back_to_queue(request)


@require_http_methods(["GET", "POST"])
@hr_admin_required
def policy_list(request):
    form = PolicyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = policies.set_policy(
                    platform=form.cleaned_data["platform"],
                    policy=form.cleaned_data["policy"],
                    sample_percent=form.cleaned_data["sample_percent"],
                    actor=request.user,
                )
            except policies.PolicyInvalid as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("%(platform)s: shares are now checked by %(policy)s.")
                    % {"platform": changed.platform_label, "policy": changed.describe()},
                )
                return redirect("review:policy_list")
        else:
            messages.error(
                request,
                "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
            )
    return render(
        request,
        "verification/policy_list.html",
        {
            "policies": policies.all_policies(),
            "changes": policies.policy_changes(),
            "policy_choices": VerificationPolicy.choices,
        },
    )


def _own_share(request, pk: int) -> Share:
    share = get_object_or_404(Share.objects.select_related("campaign"), pk=pk)
    if share.staff_id != request.user.pk:
        raise PermissionDenied
    return share


@require_http_methods(["GET", "POST"])
@login_required
def screenshot_upload(request, pk: int):
    share = _own_share(request, pk)
    form = ScreenshotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            screenshots.attach_screenshot(
                share=share, staff=request.user, upload=form.cleaned_data["screenshot"]
            )
        except screenshots.ScreenshotRefused as exc:
            form.add_error("screenshot", exc.message)
        else:
            messages.success(request, _("Screenshot attached: HR will see it when they review."))
            return redirect(reverse("review:screenshot_upload", args=[share.pk]))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "verification/screenshot_upload.html",
        {"share": share, "form": form, "in_review": share.status == ShareStatus.NEEDS_REVIEW},
        status=status,
    )


@require_GET
@login_required
def screenshot(request, pk: int):
    share = get_object_or_404(Share, pk=pk)
    if not screenshots.may_see_screenshot(request.user, share):
        raise PermissionDenied
    if not share.screenshot:
        raise Http404(_("No screenshot"))
    return screenshot_response(share.screenshot, filename=f"share-{share.pk}-screenshot")


# --- appeals (namespace ``appeals``) ----------------------------------------------------

APPEALS_PER_PAGE = 30


class AppealFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any")), *AppealStatus.choices],
        required=False,
    )
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.order_by("-starts_on", "title"),
        required=False,
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=gettext_lazy("This unit and every unit below it."),
    )
    platform = forms.ChoiceField(
        label=gettext_lazy("Platform"),
        choices=[("", gettext_lazy("Any platform")), *Platform.choices],
        required=False,
    )


class AppealForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why was the decision wrong?"),
        max_length=appeals.NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    screenshot = forms.FileField(
        label=gettext_lazy("Screenshot of your post (optional)"),
        required=False,
        help_text=gettext_lazy("PNG, JPEG, WebP or GIF, at most 5 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Appeal.Decision.choices)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea)


@require_GET
@login_required
def appeal_list(request):
    """HR: the appeals to decide (open first), with filters; everyone else: their own."""
    if not request.user.is_hr_admin:
        mine = selectors.appeals_visible_to(request.user)
        page = Paginator(mine, APPEALS_PER_PAGE).get_page(request.GET.get("page"))
        return render(request, "verification/appeal_list_mine.html", {"page": page})
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = AppealStatus.OPEN
    form = AppealFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": AppealStatus.OPEN}
    found = selectors.appeals_for_hr(
        status=filters.get("status") or "",
        campaign_id=filters["campaign"].pk if filters.get("campaign") else None,
        unit=filters.get("unit"),
        platform=filters.get("platform") or "",
    )
    page = Paginator(found, APPEALS_PER_PAGE).get_page(request.GET.get("page"))
    for appeal in page.object_list:
        appeal.may_decide, appeal.why_not = appeals.may_decide(appeal, request.user)
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "verification/appeal_list.html",
        {
            "form": form,
            "page": page,
            "extra_query": (urlencode(kept) + "&") if kept else "",
            "here": request.get_full_path(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def appeal_create(request, share_pk: int):
    share = get_object_or_404(
        Share.objects.select_related("campaign"), pk=share_pk, staff=request.user
    )
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeals.file_appeal(
                share=share,
                staff=request.user,
                note=form.cleaned_data["note"],
                screenshot=form.cleaned_data.get("screenshot"),
            )
        except appeals.AppealRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Appeal sent: an HR admin will decide it."))
            return redirect("appeals:appeal_list")
    deadline = appeals.appeal_deadline(share)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "verification/appeal_form.html",
        {"share": share, "form": form, "deadline": deadline},
        status=status,
    )


@require_POST
@hr_admin_required
def appeal_decide(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.select_related("share"), pk=pk)
    form = AppealDecisionForm(request.POST)
    back = _back_to(request, "appeals:appeal_list")
    if not form.is_valid():
        messages.error(
            request, _("Appeal #%(pk)s: choose uphold or overturn and give a reason.") % {"pk": pk}
        )
        return back
    try:
        appeal = appeals.decide_appeal(
            appeal=appeal,
            actor=request.user,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except appeals.AppealRefused as exc:
        messages.error(request, _("Appeal #%(pk)s: %(why)s") % {"pk": pk, "why": exc.message})
    else:
        messages.success(
            request,
            _("Appeal #%(pk)s: %(outcome)s")
            % {"pk": pk, "outcome": appeals.outcome_message(appeal)},
        )
    return back


@require_GET
@login_required
def appeal_screenshot(request, pk: int):
    appeal = get_object_or_404(Appeal.objects.select_related("share"), pk=pk)
    if not screenshots.may_see_screenshot(request.user, appeal.share):
        raise PermissionDenied
    if not appeal.screenshot:
        raise Http404(_("No screenshot"))
    return screenshot_response(appeal.screenshot, filename=f"appeal-{appeal.pk}-screenshot")
