from __future__ import annotations

from django import forms

from .models import NotificationKind


class PreferencesForm(forms.Form):
    """One on/off box a kind the person can receive."""

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.BooleanField(
                label=NotificationKind(kind).label, required=False
            )
