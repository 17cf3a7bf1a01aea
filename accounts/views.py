import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sharekpi.screenshots import screenshot_response

from . import hooks, imports, personal_data, selectors, services
from .authentication import token_expired, token_expires_at
from .forms import (
    LoginForm,
    ProofScreenshotForm,
    SetPasswordRequestForm,
    SocialAccountForm,
    StaffImportConfirmForm,
    StaffImportForm,
)
from .models import AccountChange, Platform, SocialAccount
from .permissions import hr_admin_required

log = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def home(request):
    """Home page by role: what to do next for this person."""
    user = request.user
    context = {"visible_count": None}
    if user.is_manager or user.is_hr_admin:
        context["visible_count"] = selectors.users_visible_to(user).filter(is_active=True).count()
    context["panels"] = hooks.panels(hooks.HOME, request)
    return render(request, "accounts/home.html", context)


password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
password_reset = auth_views.PasswordResetView.as_view(
    form_class=SetPasswordRequestForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/password_reset_email.txt",
    subject_template_name="accounts/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_set = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_set.html",
    success_url=reverse_lazy("accounts:password_set_done"),
)
password_set_done = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_set_done.html"
)


# --- staff import (HR) ----------------------------------------------------------------------

# The previewed file waits in the session until HR confirms it; the plan's
# fingerprint (file + what it would change) travels through the confirm form,
# so confirming an old preview, another tab's file or data that changed since
# is refused instead of silently importing something else.
STAFF_IMPORT_SESSION_KEY = "staff_import"
STAFF_IMPORT_PREVIEW_ROWS = 500


def _render_import_preview(request, plan: imports.ImportPlan, *, file_name: str = ""):
    if plan.is_valid and plan.has_writes:
        request.session[STAFF_IMPORT_SESSION_KEY] = {
            "content": plan.text,
            "fingerprint": plan.fingerprint,
            "file_name": file_name,
        }
    else:
        request.session.pop(STAFF_IMPORT_SESSION_KEY, None)
    pending = plan.pending
    context = {
        "plan": plan,
        "file_name": file_name,
        "counts": plan.counts,
        "changes": pending[:STAFF_IMPORT_PREVIEW_ROWS],
        "more_changes": max(0, len(pending) - STAFF_IMPORT_PREVIEW_ROWS),
        "confirm_form": StaffImportConfirmForm(initial={"fingerprint": plan.fingerprint}),
    }
    return render(request, "accounts/staff_import_preview.html", context)


@hr_admin_required
@require_http_methods(["GET", "POST"])
def staff_import(request):
    """Upload a staff CSV and see what it would change (nothing is written yet)."""
    if request.method == "POST":
        form = StaffImportForm(request.POST, request.FILES)
        if form.is_valid():
            plan = imports.plan_import(content=form.cleaned_data["file"], actor=request.user)
            return _render_import_preview(request, plan, file_name=request.FILES["file"].name)
    else:
        form = StaffImportForm()
    return render(
        request,
        "accounts/staff_import.html",
        {"form": form, "columns": imports.COLUMNS},
    )


@hr_admin_required
@require_POST
def staff_import_confirm(request):
    """Apply the previewed import, if it is still the one HR looked at."""
    pending = request.session.get(STAFF_IMPORT_SESSION_KEY)
    form = StaffImportConfirmForm(request.POST)
    if (
        not pending
        or not form.is_valid()
        or form.cleaned_data["fingerprint"] != pending.get("fingerprint")
    ):
        messages.error(
            request,
            _(
                "That preview is no longer current (another file was uploaded since, or it was "
                "already imported). Nothing was written; upload the file again."
            ),
        )
        return redirect("accounts:staff_import")
    file_name = pending.get("file_name", "")
    stale_message = _(
        "Staff data changed since the preview, so nothing was written. "
        "Here is the preview again against the current data."
    )
    plan = imports.plan_import(content=pending["content"], actor=request.user)
    if plan.fingerprint != pending["fingerprint"]:
        messages.warning(request, stale_message)
        return _render_import_preview(request, plan, file_name=file_name)
    try:
        result = imports.apply_import(plan=plan, actor=request.user)
    except imports.StaffImportError:  # changed between the check above and the write
        messages.warning(request, stale_message)
        plan = imports.plan_import(content=pending["content"], actor=request.user)
        return _render_import_preview(request, plan, file_name=file_name)
    request.session.pop(STAFF_IMPORT_SESSION_KEY, None)
    counts = result.counts
    messages.success(
        request,
        _(
            "Imported %(file)s: %(created)s created, %(updated)s updated, "
            "%(deactivated)s deactivated, %(unchanged)s unchanged; %(units)s new unit(s)."
        )
        % {
            "file": file_name or _("the file"),
            "created": counts["create"],
            "updated": counts["update"],
            "deactivated": counts["deactivate"],
            "unchanged": counts["unchanged"],
            "units": result.units_created,
        },
    )
    if result.created_staff_ids:
        _queue_set_password_links(request, result.created_staff_ids)
    return redirect("accounts:staff_import")


def _queue_set_password_links(request, staff_ids: list[str]) -> None:
    from . import tasks

    try:
        tasks.send_set_password_links.delay(staff_ids, request.build_absolute_uri("/"))
    except Exception:  # broker down: the import stands; HR can ask staff to use "First time here"
        log.warning("Could not queue set-password links for %d new staff", len(staff_ids))
        messages.warning(
            request,
            _(
                "The set-password emails could not be queued. New staff can use "
                "'First time here, or forgot your password?' on the login page."
            ),
        )
        return
    messages.info(
        request,
        ngettext(
            "A set-password link is being emailed to %(count)s new staff member.",
            "Set-password links are being emailed to %(count)s new staff.",
            len(staff_ids),
        )
        % {"count": len(staff_ids)},
    )


@hr_admin_required
@require_GET
def staff_import_template(request):
    """An empty staff CSV (header row only). The BOM makes Excel read it as UTF-8."""
    response = HttpResponse(
        "\ufeff" + imports.template_csv(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="sharekpi-staff.csv"'
    return response


@login_required
@require_GET
def my_data(request):
    """What ShareKPI holds about me, and the download of all of it."""
    return render(request, "accounts/my_data.html", {"parts": personal_data.part_names()})


@login_required
@require_GET
def my_data_download(request):
    return personal_data_response(request.user)


def personal_data_response(user) -> StreamingHttpResponse:
    """The person's data as one JSON file, streamed (the page and the API serve it)."""
    response = StreamingHttpResponse(
        personal_data.stream(user), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{personal_data.file_name(user)}"'
    response["Cache-Control"] = "no-store"
    return response


# --- my accounts -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_accounts(request):
    """My accounts on each platform, their ownership proof, and how to prove them."""
    if request.method == "POST":
        form = SocialAccountForm(request.POST)
        if form.is_valid():
            try:
                account, change = services.set_account(
                    user=request.user,
                    platform=form.cleaned_data["platform"],
                    handle=form.cleaned_data["handle"],
                    actor=request.user,
                )
            except services.AccountRefused as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                if change == AccountChange.REPLACED:
                    messages.success(
                        request,
                        _(
                            "Your %(platform)s account is now @%(handle)s (the old one is kept in "
                            "the history)."
                        )
                        % {"platform": account.get_platform_display(), "handle": account.handle},
                    )
                elif change == AccountChange.ADDED:
                    messages.success(
                        request,
                        _("@%(handle)s added. Now put your code in its bio and check it.")
                        % {"handle": account.handle},
                    )
                else:
                    messages.info(request, _("That account was already registered."))
                return redirect("me:my_accounts")
    else:
        form = SocialAccountForm(initial={"platform": request.GET.get("platform", "")})
    accounts = {account.platform: account for account in selectors.accounts_of(request.user)}
    rows = [
        {"platform": value, "label": label, "account": accounts.get(value)}
        for value, label in Platform.choices
    ]
    context = {
        "form": form,
        "rows": rows,
        "proof_code": services.proof_code_for(request.user).code,
        "history": selectors.account_history_of(request.user)[:20],
        "anonymous_bio_platforms": ANONYMOUS_BIO_PLATFORM_LABELS,
        "panels": hooks.panels(hooks.MY_ACCOUNTS, request),
    }
    return render(request, "accounts/my_accounts.html", context)


# The platforms whose bio the check can read without logging in (see README, "Ownership
# proof"); the rest go the screenshot way. The check itself lives in verification.proofs.
ANONYMOUS_BIO_PLATFORM_LABELS = [Platform.YOUTUBE.label, Platform.TIKTOK.label]


def _own_account(request, pk: int):
    return get_object_or_404(selectors.accounts_of(request.user), pk=pk)


@login_required
@require_POST
def my_account_remove(request, pk: int):
    account = _own_account(request, pk)
    services.remove_account(account=account, actor=request.user)
    messages.success(
        request,
        _("@%(handle)s removed from %(platform)s (it stays in the history).")
        % {"handle": account.handle, "platform": account.get_platform_display()},
    )
    return redirect("me:my_accounts")


@login_required
@require_POST
def my_account_prove(request, pk: int):
    account = _own_account(request, pk)
    if services.request_proof(account=account):
        messages.info(
            request,
            _("Checking @%(handle)s for your code. Reload this page in a minute to see the result.")
            % {"handle": account.handle},
        )
    else:
        messages.warning(request, _("The check could not be started just now; try again later."))
    return redirect("me:my_accounts")


@login_required
@require_GET
def my_api_token(request):
    """Whether I have an API token, since when and until when, and a way to revoke it."""
    token = services.api_token_of(request.user)
    context = {"token": token, "expires": None, "expired": False}
    if token is not None:
        context.update(expires=token_expires_at(token), expired=token_expired(token))
    return render(request, "accounts/my_api_token.html", context)


@login_required
@require_POST
def my_api_token_revoke(request):
    if services.revoke_api_token(user=request.user, actor=request.user):
        messages.success(
            request, _("Your API token is revoked: programs that used it must log in again.")
        )
    else:
        messages.info(request, _("You had no API token."))
    return redirect("me:my_api_token")


@login_required
@require_POST
def my_proof_code_renew(request):
    services.renew_proof_code(user=request.user)
    messages.success(
        request,
        _("You have a new code. Proven accounts stay proven; use the new code from now on."),
    )
    return redirect("me:my_accounts")


@login_required
@require_http_methods(["GET", "POST"])
def my_account_screenshot(request, pk: int):
    """Attach a screenshot of my profile showing the code, for HR to spot-check."""
    account = _own_account(request, pk)
    if request.method == "POST":
        form = ProofScreenshotForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.attach_proof_screenshot(
                    account=account, user=request.user, upload=form.cleaned_data["file"]
                )
            except services.AccountRefused as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("Screenshot attached; HR will check it."))
                return redirect("me:my_accounts")
    else:
        form = ProofScreenshotForm()
    context = {
        "account": account,
        "form": form,
        "proof_code": services.proof_code_for(request.user).code,
    }
    return render(request, "accounts/my_account_screenshot.html", context)


@login_required
@require_GET
def proof_screenshot(request, pk: int):
    """The screenshot of a proof: its owner and HR only (others: 404)."""
    accounts = SocialAccount.objects.all()
    if not request.user.is_hr_admin:
        accounts = accounts.filter(user=request.user)
    account = get_object_or_404(accounts, pk=pk)
    if not account.proof_screenshot:
        raise Http404
    return screenshot_response(account.proof_screenshot, filename=f"proof-{account.pk}-screenshot")
