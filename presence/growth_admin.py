"""Admin of follower growth: snapshots (read-only: entered on /presence/official/ or
fetched, so they are validated and audited), follow drives (read-only, started on
/presence/official/), and the follower API keys HR configures (the key is written,
never shown back; every change audited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

import audit
from sharekpi.readonly_admin import ReadOnlyAdmin

from .models import FollowDrive, FollowerApiKey, FollowerSnapshot


@admin.register(FollowerSnapshot)
class FollowerSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["official_account", "taken_on", "followers", "source", "entered_by"]
    list_filter = ["source", "official_account"]
    date_hierarchy = "taken_on"
    list_select_related = ["official_account", "entered_by"]


@admin.register(FollowDrive)
class FollowDriveAdmin(ReadOnlyAdmin):
    list_display = ["official_account", "name", "starts_on", "people_asked", "created_by"]
    list_select_related = ["official_account", "created_by"]


class FollowerApiKeyForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Key or token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "YouTube: an API key of the YouTube Data API v3. X: a bearer token of the "
            "X API v2. Leave empty to keep the saved one."
        ),
    )

    class Meta:
        model = FollowerApiKey
        fields = ["platform", "secret", "enabled"]

    def clean_platform(self):
        from .followers_api import SUPPORTED_PLATFORMS

        platform = self.cleaned_data["platform"]
        if platform not in SUPPORTED_PLATFORMS:
            raise forms.ValidationError(
                _("ShareKPI fetches follower counts from YouTube and X only.")
            )
        return platform

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("secret") and not (self.instance.pk and self.instance.secret):
            self.add_error("secret", _("Enter the key or token."))
        return cleaned

    def save(self, commit=True):
        secret = self.cleaned_data.get("secret")
        if not secret and self.instance.pk:
            self.instance.secret = FollowerApiKey.objects.get(pk=self.instance.pk).secret
        return super().save(commit=commit)


@admin.register(FollowerApiKey)
class FollowerApiKeyAdmin(admin.ModelAdmin):
    form = FollowerApiKeyForm
    list_display = ["platform", "enabled", "last_fetch_at", "last_error", "updated_by"]
    readonly_fields = ["last_fetch_at", "last_error", "updated_by", "updated_at"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.updated_by = request.user
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="follower_api_key.changed" if change else "follower_api_key.added",
                obj=obj,
                after={
                    "platform": obj.platform,
                    "enabled": obj.enabled,
                    "key_changed": bool(form.cleaned_data.get("secret")),
                },
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="follower_api_key.removed",
                obj=obj,
                before={"platform": obj.platform, "enabled": obj.enabled},
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
