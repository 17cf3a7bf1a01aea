"""``{% unit_options choices selected %}``: the ``<option>`` list of a unit picker.

HR's pickers list every unit of the organisation (2,571 at the bench's large size);
a template loop with an ``{% if %}`` per option cost tens of milliseconds a page, so
the options are joined here in one pass, escaped as the template would."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def unit_options(choices: Iterable, selected=None) -> SafeString:
    """One ``<option value="pk">path</option>`` per unit, the ``selected`` one marked.
    ``choices``: (pk, path) pairs or units; ``selected``: a unit, its pk, or None."""
    try:
        chosen = int(getattr(selected, "pk", selected))
    except (TypeError, ValueError):
        chosen = None
    parts = []
    for choice in choices:
        pk, path = (choice.pk, choice.path) if hasattr(choice, "pk") else choice
        mark = " selected" if pk == chosen else ""
        parts.append(f'<option value="{int(pk)}"{mark}>{escape(path)}</option>')
    return mark_safe("".join(parts))  # every value above is escaped or an int
