from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, UserChangeForm

from .models import User


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
