"""Recompute everyone's KPI score for a year: ``python manage.py compute_scores --year 2025``."""

from django.core.management.base import BaseCommand, CommandError

from scoring import selectors, services


class Command(BaseCommand):
    help = (
        "Recompute every person's KPI score for a KPI year (set-based). Refused for a closed year."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="KPI year (the calendar year it starts in). Default: the current KPI year.",
        )

    def handle(self, *args, year=None, **options):
        year = selectors.current_kpi_year() if year is None else year
        try:
            written = services.compute_year(year=year)
        except services.ScoringError as exc:
            raise CommandError(str(exc)) from exc
        scheme = services.scheme_for_year(year)
        self.stdout.write(
            self.style.SUCCESS(
                f"KPI year {selectors.kpi_year_label(year)}: scores computed for {written} "
                f"people (scoring scheme v{scheme.version})."
            )
        )
