"""Rebuild the dashboard's share counts: ``python manage.py refresh_dashboard_stats``."""

from django.core.management.base import BaseCommand

from dashboard import stats


class Command(BaseCommand):
    help = (
        "Rebuild the dashboard's pre-aggregated share counts from the shares (set-based, one "
        "transaction per campaign). Run after a bulk load or a reorganisation of units; the "
        "nightly task does it for recent campaigns."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--campaign",
            type=int,
            action="append",
            dest="campaigns",
            help="Only this campaign id (repeatable). Default: every campaign.",
        )
        parser.add_argument(
            "--recent",
            action="store_true",
            help="Only campaigns that run into the open KPI years (what the nightly task does).",
        )

    def handle(self, *args, campaigns=None, recent=False, **options):
        if recent:
            done = stats.refresh_recent_stats()
        else:
            done = stats.refresh_stats(campaign_ids=campaigns)
        self.stdout.write(self.style.SUCCESS(f"Dashboard statistics rebuilt for {done} campaigns."))
