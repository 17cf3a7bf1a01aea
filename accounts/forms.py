from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.utils.translation import gettext_lazy as _

from .models import Platform, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Staff ID or email",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": "That staff ID or email and password do not match an active account.",
        "inactive": "This account is inactive. Ask HR if you think this is a mistake.",
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

    MAX_BYTES = 10 * 1024 * 1024

    file = forms.FileField(
        label="Staff CSV file",
        help_text=(
            "Columns: staff_id, full_name, email, unit, manager_staff_id, role, active. "
            "In Excel choose Save As → CSV UTF-8 (Comma delimited)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB; split it into parts.")
        content = upload.read()
        if not content.strip():
            raise forms.ValidationError("The file is empty.")
        return content


class StaffImportConfirmForm(forms.Form):
    """Confirms the previewed import; the fingerprint ties it to that preview."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SetPasswordRequestForm(PasswordResetForm):
    """'First time here, or forgot your password?'. Unlike Django's form it also
    mails people whose password is not set yet: imported staff start that way."""

    def get_users(self, email):
        return User.objects.filter(email=email.strip().lower(), is_active=True)


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
