"""The HR audit page and its CSV download (/audit/)."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sharekpi.csvexport import csv_response

from . import display, selectors
from .forms import AuditFilterForm
from .permissions import hr_admin_required

ENTRIES_PER_PAGE = 50
CSV_HEADER = [
    "id",
    "seq",
    "at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "hash",
]


def _filters(request) -> tuple[AuditFilterForm, dict | None]:
    """The filter form and its cleaned values (None when a value is bad)."""
    wanted = {k: v for k, v in request.GET.items() if k != "page" and v}
    form = AuditFilterForm(wanted or None, actions=selectors.actions_present())
    if not form.is_bound:
        return form, {}
    return form, (form.cleaned_data if form.is_valid() else None)


@require_GET
@hr_admin_required
def audit_log(request):
    form, filters = _filters(request)
    found = selectors.entries(filters or {}) if filters is not None else selectors.entries().none()
    page = Paginator(found, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "rows": [(entry, display.changes(entry.before, entry.after)) for entry in page],
            "head": selectors.head(),
            "extra_query": (urlencode(kept) + "&") if kept else "",
            "csv_query": urlencode(kept),
        },
    )


@require_GET
@hr_admin_required
def audit_csv(request):
    form, filters = _filters(request)
    if filters is None:
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        return HttpResponseBadRequest(
            _("Bad filter: %(problems)s") % {"problems": problems},
            content_type="text/plain; charset=utf-8",
        )
    found = selectors.entries(filters).order_by("seq")

    def rows():
        for entry in found.iterator(chunk_size=2000):
            yield [
                entry.pk,
                entry.seq,
                timezone.localtime(entry.at).isoformat(timespec="microseconds"),
                entry.actor_label,
                entry.action,
                entry.object_type,
                entry.object_id,
                _json(entry.before),
                _json(entry.after),
                entry.hash,
            ]

    stamp = timezone.localdate().isoformat()
    return csv_response(header=CSV_HEADER, rows=rows(), filename=f"audit-log-{stamp}.csv")


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
