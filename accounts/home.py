"""The home page's sections: what matters to the person now.

accounts sits at the bottom of the apps and imports none of them, so each app above it
adds its section when Django starts (``register`` in its AppConfig.ready): campaigns
the campaigns to share and the shares waiting or needing action, scoring the points
this year. A section is a function of the request that returns (template name,
context) or None when it has nothing to show this person; sections show in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Section = Callable[[HttpRequest], tuple[str, dict] | None]


@dataclass(frozen=True)
class _Entry:
    order: int
    section: Section


_sections: dict[str, _Entry] = {}


def register(name: str, section: Section, *, order: int) -> None:
    """Add a section (registering ``name`` again replaces it)."""
    _sections[name] = _Entry(order, section)


def render_sections(request: HttpRequest) -> list[SafeString]:
    """Each section that has something for this person, rendered, in order."""
    rendered = []
    for entry in sorted(_sections.values(), key=lambda e: e.order):
        found = entry.section(request)
        if found is not None:
            template, context = found
            rendered.append(render_to_string(template, context, request=request))
    return rendered
