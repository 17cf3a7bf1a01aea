"""Purge screenshots and attempt details past retention:
``python manage.py purge_expired [--dry-run] [--batch-size N]``."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.kpi_year import kpi_year_label
from verification import retention


class Command(BaseCommand):
    help = (
        "Purge the screenshots (shares, appeals, account proofs, follow confirmations) and "
        "verification attempt details of KPI years closed more "
        "than SHAREKPI_RETENTION_DAYS ago (audited). --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=retention.DEFAULT_BATCH_SIZE,
            help="Rows per transaction (default %(default)s).",
        )

    def handle(self, *args, dry_run=False, batch_size=retention.DEFAULT_BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        reports = retention.purge_expired(dry_run=dry_run, batch_size=batch_size)
        days = retention.retention_days()
        if not reports:
            self.stdout.write(
                f"Nothing to purge: no KPI year was closed more than {days} days ago."
            )
            return
        verb = "would purge" if dry_run else "purged"
        for report in reports:
            self.stdout.write(
                f"KPI year {kpi_year_label(report.year)} (closed {report.closed_at:%Y-%m-%d}): "
                f"{verb} {report.share_screenshots} share screenshots, "
                f"{report.appeal_screenshots} appeal screenshots, "
                + "".join(
                    f"{n} {what.replace('_', ' ')}, "
                    for what, n in report.other_screenshots.items()
                )
                + f"details of {report.attempts} verification attempts."
            )
            for name in report.files_not_deleted:
                self.stderr.write(f"  could not delete file {name} (its field was cleared)")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
