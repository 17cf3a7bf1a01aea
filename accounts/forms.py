import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import imports
from .models import OrgUnit, Platform, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Staff ID or email"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("That staff ID or email and password do not match an active account."),
        "inactive": _("This account is inactive. Ask HR if you think this is a mistake."),
    }


class AdminUserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("staff_id", "full_name", "email", "unit", "role")


class AdminUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class StaffImportForm(forms.Form):
    """Upload of a staff CSV; ``cleaned_data["file"]`` is its bytes."""

    MAX_BYTES = imports.MAX_BYTES

    file = forms.FileField(
        label=_("Staff CSV file"),
        help_text=_(
            "Columns: staff_id, full_name, email, unit, manager_staff_id, role, active. "
            "In Excel choose Save As → CSV UTF-8 (Comma delimited)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB; split it into parts.")
                % {"mb": self.MAX_BYTES // (1024 * 1024)}
            )
        content = upload.read()
        if not content.strip():
            raise forms.ValidationError(_("The file is empty."))
        return content


class StaffImportConfirmForm(forms.Form):
    """Confirms the previewed import; the fingerprint ties it to that preview."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SetPasswordRequestForm(PasswordResetForm):
    """'First time here, or forgot your password?'. Unlike Django's form it also
    mails people whose password is not set yet: imported staff start that way."""

    def get_users(self, email):
        email = email.strip().lower()
        if not _reset_mail_allowed(email):
            return User.objects.none()  # same page either way: nothing is revealed
        return User.objects.filter(email=email, is_active=True)

    def send_mail(self, *args, **kwargs):
        """In the person's saved language when they chose one, else the page's."""
        context = args[2] if len(args) > 2 else kwargs.get("context", {})
        user = context.get("user")
        language = getattr(user, "language", "") or translation.get_language()
        with translation.override(language):
            return super().send_mail(*args, **kwargs)


def _reset_mail_allowed(email: str) -> bool:
    """At most SHAREKPI_PASSWORD_RESET_PER_HOUR set-password mails per address and
    hour (counted in the cache, per address, whether or not it is someone's)."""
    limit = settings.SHAREKPI_PASSWORD_RESET_PER_HOUR
    key = "pwreset:" + hashlib.sha256(email.encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= limit


class SocialAccountForm(forms.Form):
    """Add or change one of my accounts: a handle or a profile link."""

    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle or profile link"),
        max_length=500,
        help_text=_(
            "Like @yourname, or paste the link of your profile page (not a post, not a hashtag)."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class ProofScreenshotForm(forms.Form):
    file = forms.FileField(
        label=_("Screenshot of your profile"),
        help_text=_("PNG, JPEG, WebP or GIF; your profile page with the code visible in the bio."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class UnitPicker(forms.SelectMultiple):
    """The org tree as a plain multi-select, which works without script;
    static/js/unit-picker.js adds a search box (thousands of units stay usable), a click
    that adds or removes one unit, and the chosen units listed by name. Pages that use it
    load that script."""

    def __init__(self, attrs=None, *, none_label=None):
        words = {
            "size": 10,
            "data-unit-picker": "",
            "data-search-label": _("Search units by name"),
            "data-remove-label": _("Remove"),
            "data-none-label": none_label or _("No unit chosen: everyone."),
        }
        super().__init__({**words, **(attrs or {})})


class UnitsChoiceField(forms.ModelMultipleChoiceField):
    """Org units picked with :class:`UnitPicker`, shown as their path and indented by
    depth so the tree reads at a glance."""

    widget = UnitPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", OrgUnit.objects.order_by("path"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u00a0\u00a0\u00a0" * obj.depth + obj.path
