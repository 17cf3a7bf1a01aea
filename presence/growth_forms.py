"""Forms of the follower growth pages (HR): a snapshot, a follow drive."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from campaigns.models import OfficialAccount


class SnapshotForm(forms.Form):
    official_account = forms.ModelChoiceField(
        label=_("Official account"), queryset=OfficialAccount.objects.order_by("platform", "handle")
    )
    taken_on = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    followers = forms.IntegerField(label=_("Followers"))


class DriveForm(forms.Form):
    official_account = forms.ModelChoiceField(
        label=_("Official account"), queryset=OfficialAccount.objects.order_by("platform", "handle")
    )
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Audience units"),
        queryset=OrgUnit.objects.order_by("path"),
        required=False,
        help_text=_("These units and every unit below them. None = everyone."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    people_asked = forms.IntegerField(
        label=_("People asked"),
        required=False,
        min_value=0,
        help_text=_("From the memo, if known. Blank: the audience's people in ShareKPI."),
    )
