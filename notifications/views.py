"""/me/notifications/ (each kind on or off) and the unsubscribe link of the e-mails
(no login: the signed token names the person and the kind, and only those)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.models import User

from . import preferences
from .forms import PreferencesForm
from .mail import language_of, read_unsubscribe_token
from .models import NotificationKind


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    kinds = preferences.kinds_for(request.user)
    enabled = preferences.enabled_kinds(request.user)
    if request.method == "POST":
        form = PreferencesForm(request.POST, kinds=kinds)
        if form.is_valid():
            for kind in kinds:
                preferences.set_kind(
                    user=request.user,
                    kind=kind,
                    enabled=form.cleaned_data[kind],
                    via="preferences",
                )
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferencesForm(initial={k: k in enabled for k in kinds}, kinds=kinds)
    return render(request, "notifications/preferences.html", {"form": form})


# Mail programs send "List-Unsubscribe=One-Click" as a POST with no cookies and no CSRF
# token (RFC 8058): the signed token is the proof, so CSRF does not apply here.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """GET: a page with one button (link checkers in mail systems open links, so a
    GET changes nothing). POST: that kind is turned off for that person."""
    try:
        user_id, kind = read_unsubscribe_token(token)
        person = User.objects.get(pk=user_id)
    except (signing.BadSignature, User.DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    # The page speaks the person's language when nobody is logged in.
    language = translation.get_language() if request.user.is_authenticated else language_of(person)
    with translation.override(language):
        if request.method == "POST":
            preferences.set_kind(user=person, kind=kind, enabled=False, via="unsubscribe")
            if request.POST.get("List-Unsubscribe") == "One-Click":
                return HttpResponse(_("Unsubscribed."), content_type="text/plain; charset=utf-8")
            done = True
        else:
            done = kind not in preferences.enabled_kinds(person)
        return render(
            request,
            "notifications/unsubscribe.html",
            {"kind_label": NotificationKind(kind).label, "done": done, "token": token},
        )
