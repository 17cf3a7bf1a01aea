from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import UnitsChoiceField
from accounts.models import OrgUnit, Platform

from .models import SpotCheckResult
from .services import SPOT_CHECK_PERCENT_MAX, SPOT_CHECK_PERCENT_MIN


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return unit.path


class RequiredPlatformsForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.order_by("path"))
    platforms = forms.MultipleChoiceField(
        label=_("Platforms its people must have an account on"),
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: no requirement for this unit and the units below it."),
    )
    inherit = forms.BooleanField(
        label=_("Inherit from the unit above instead (remove this unit's own setting)"),
        required=False,
    )


class OfficialAccountForm(forms.Form):
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices)
    handle = forms.CharField(
        label=_("Handle or profile link"),
        max_length=500,
        help_text=_("Like @governor, or the link of the account's profile page (not a post)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("Whose account it is, e.g. 'Governor'.")
    )
    must_follow = forms.BooleanField(label=_("Staff must follow it"), required=False, initial=True)
    units = UnitsChoiceField(
        label=_("Who must follow it"),
        required=False,
        help_text=_(
            "Each unit with every unit below it. None chosen: everyone. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        ),
    )


class FollowForm(forms.Form):
    screenshot = forms.FileField(
        label=_("Screenshot (optional)"),
        required=False,
        help_text=_("PNG, JPEG, WebP or GIF, showing that you follow the account."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class SpotCheckDrawForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    percent = forms.IntegerField(
        label=_("Sample (%)"),
        min_value=SPOT_CHECK_PERCENT_MIN,
        max_value=SPOT_CHECK_PERCENT_MAX,
        initial=5,
    )
    accounts = forms.BooleanField(
        label=_("Also sample own accounts that are not proven yet"), required=False, initial=True
    )


class SpotCheckMarkForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (SpotCheckResult.CONFIRMED, SpotCheckResult.CONFIRMED.label),
            (SpotCheckResult.NOT_FOUND, SpotCheckResult.NOT_FOUND.label),
        ],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ProofDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("fail", "fail")])
    note = forms.CharField(required=False, max_length=300)
