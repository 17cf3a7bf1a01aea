"""``/presence/official/``: the official accounts with their follower snapshots, the
follow drives and each drive's growth chart. Managers and HR read; HR enters
snapshots and starts drives. The rules live in presence.growth."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import hr_admin_required, manager_or_hr_required
from campaigns.models import OfficialAccount

from . import followers_api, growth
from .growth_chart import drive_chart
from .growth_forms import DriveForm, SnapshotForm
from .models import FollowerApiKey, FollowerSnapshot


def _official_context(request, *, snapshot_form=None, drive_form=None) -> dict:
    accounts = list(
        OfficialAccount.objects.order_by("platform", "handle").annotate(
            snapshot_count=Count("follower_snapshots"),
            last_day=Max("follower_snapshots__taken_on"),
        )
    )
    latest = {
        (s.official_account_id, s.taken_on): s
        for s in FollowerSnapshot.objects.filter(
            official_account__in=accounts, taken_on__in={a.last_day for a in accounts if a.last_day}
        )
    }
    for account in accounts:
        account.latest = latest.get((account.pk, account.last_day))
        account.has_api = account.platform in followers_api.SUPPORTED_PLATFORMS
    drives = [growth.drive_progress(d) for d in growth.drives_with_units()]
    keys = {k.platform: k for k in FollowerApiKey.objects.all()}
    api_keys = [
        {"platform": p, "label": p.label, "key": keys.get(p)}
        for p in followers_api.SUPPORTED_PLATFORMS
    ]
    is_hr = request.user.is_hr_admin
    return {
        "accounts": accounts,
        "drives": drives,
        "api_keys": api_keys,
        "is_hr": is_hr,
        "snapshot_form": snapshot_form or (SnapshotForm() if is_hr else None),
        "drive_form": drive_form or (DriveForm() if is_hr else None),
    }


@manager_or_hr_required
@require_GET
def official_page(request):
    return render(request, "presence/official.html", _official_context(request))


@hr_admin_required
@require_POST
def snapshot_create(request):
    form = SnapshotForm(request.POST)
    if form.is_valid():
        try:
            snapshot = growth.record_snapshot(
                official_account=form.cleaned_data["official_account"],
                taken_on=form.cleaned_data["taken_on"],
                followers=form.cleaned_data["followers"],
                actor=request.user,
            )
        except growth.GrowthError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("%(followers)s followers recorded for %(account)s on %(day)s.")
                % {
                    "followers": snapshot.followers,
                    "account": snapshot.official_account,
                    "day": snapshot.taken_on.isoformat(),
                },
            )
            return redirect("growth:official")
    context = _official_context(request, snapshot_form=form)
    return render(request, "presence/official.html", context, status=400)


@hr_admin_required
@require_POST
def drive_create(request):
    form = DriveForm(request.POST)
    if form.is_valid():
        try:
            drive = growth.create_drive(
                official_account=form.cleaned_data["official_account"],
                starts_on=form.cleaned_data["starts_on"],
                units=form.cleaned_data["units"],
                name=form.cleaned_data["name"],
                people_asked=form.cleaned_data["people_asked"],
                actor=request.user,
            )
        except growth.GrowthError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Follow drive started."))
            return redirect("growth:drive_detail", pk=drive.pk)
    context = _official_context(request, drive_form=form)
    return render(request, "presence/official.html", context, status=400)


@manager_or_hr_required
@require_GET
def account_snapshots(request, pk: int):
    account = get_object_or_404(OfficialAccount, pk=pk)
    snapshots = list(growth.snapshots_of(account).select_related("entered_by"))
    return render(
        request,
        "presence/official_account.html",
        {"account": account, "snapshots": snapshots[::-1]},
    )


@manager_or_hr_required
@require_GET
def drive_detail(request, pk: int):
    drive = get_object_or_404(growth.drives_with_units(), pk=pk)
    progress = growth.drive_progress(drive)
    return render(
        request,
        "presence/drive_detail.html",
        {"progress": progress, "drive": drive, "chart": drive_chart(progress)},
    )
