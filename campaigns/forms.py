"""HTML forms for campaigns and shares. They only shape input: the rules
(platform checks, duplicates, audience, window) live in services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import UnitsChoiceField
from accounts.models import OrgUnit

from . import platforms
from .models import Campaign, CampaignStatus, ShareSource
from .services import CampaignInput

# Which web-form sources a request may claim; "api" is set by the API only.
FORM_SOURCES = frozenset(
    s.value for s in (ShareSource.FORM, ShareSource.BOOKMARKLET, ShareSource.SHARE_TARGET)
)


def form_source(value: str | None) -> str:
    """A known web-form source, or "form" for anything else."""
    return value if value in FORM_SOURCES else ShareSource.FORM.value


# A new campaign runs two weeks from today unless HR says otherwise.
DEFAULT_CAMPAIGN_DAYS = 14


def _default_end() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_CAMPAIGN_DAYS)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the message is about, in a sentence or two. Staff see it."),
    )
    starts_on = forms.DateField(
        label=_("Starts on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Ends on (inclusive)"),
        initial=_default_end,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    post_urls = forms.CharField(
        label=_("Official post URLs"),
        widget=forms.Textarea(
            attrs={"rows": 4, "wrap": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
        help_text=_(
            "One link per line, at most one per platform. Open the official post and copy its link."
        ),
    )
    units = UnitsChoiceField(
        label=_("Audience"),
        required=False,
        help_text=_(
            "These units and every unit below them. Choose none for everyone. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=CampaignStatus.choices,
        initial=CampaignStatus.ACTIVE,
        help_text=_("Staff see active campaigns only, and may log shares between the two dates."),
    )
    counts_for_kpi = forms.BooleanField(
        label=_("Counts for the KPI"),
        required=False,
        initial=True,
        help_text=_("Verified shares of this campaign count towards staff's KPI points."),
    )

    # Service error keys → form fields.
    SERVICE_FIELDS = {"posts": "post_urls", "post_urls": "post_urls"}

    def __init__(self, *args, user=None, creating=False, **kwargs):
        super().__init__(*args, **kwargs)
        # A new campaign is saved as a draft or published with the button that saves
        # it (campaign_form.html), never by a status picked in passing.
        self.creating = creating
        if creating:
            del self.fields["status"]
        if user is not None and not user.is_hr_admin:
            # A manager's department campaign: their own subtree, and only HR decides
            # whether it counts for the KPI.
            del self.fields["counts_for_kpi"]
            units = self.fields["units"]
            units.queryset = OrgUnit.objects.subtree(user.unit).order_by("path")
            units.required = True
            units.widget.attrs["data-none-label"] = _("No unit chosen yet.")
            units.help_text = _(
                "Your unit or units below it (and every unit below those). "
                "Hold Ctrl (⌘ on a Mac) to choose several."
            )

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict:
        return {
            "title": campaign.title,
            "description": campaign.description,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "post_urls": "\n".join(post.url for post in campaign.posts.all()),
            "units": list(campaign.units.all()),
            "status": campaign.status,
            "counts_for_kpi": campaign.counts_for_kpi,
        }

    def campaign_input(self, *, publish: bool = False) -> CampaignInput:
        """What the service saves; ``publish`` (the "Publish now" button) makes a new
        campaign active, else it is a draft."""
        data = self.cleaned_data
        if self.creating:
            status = CampaignStatus.ACTIVE if publish else CampaignStatus.DRAFT
        else:
            status = data["status"]
        return CampaignInput(
            title=data["title"],
            description=data["description"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            post_urls=[line.strip() for line in data["post_urls"].splitlines() if line.strip()],
            units=list(data["units"]),
            status=status,
            counts_for_kpi=data.get("counts_for_kpi") if "counts_for_kpi" in self.fields else None,
        )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = self.SERVICE_FIELDS.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Campaign) -> str:
        names = ", ".join(
            platforms.PLATFORM_LABELS.get(post.platform, post.platform) for post in obj.posts.all()
        )
        return f"{obj.title} ({names})" if names else obj.title


class ShareForm(forms.Form):
    campaign = CampaignChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the campaigns open to you today.")},
    )
    url = forms.CharField(
        label=_("Link to your post"),
        max_length=platforms.MAX_URL_LENGTH,
        widget=forms.TextInput(
            attrs={
                "inputmode": "url",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "placeholder": "https://…",
            }
        ),
        help_text=_(
            "Open your own post (not the official one), use Share → Copy link, and paste it here."
        ),
        error_messages={"required": _("Paste the link to your post.")},
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns

    def clean_source(self) -> str:
        return form_source(self.cleaned_data.get("source"))
