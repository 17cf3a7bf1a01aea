"""python manage.py import_staff FILE [--dry-run] [--set-password PW]"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import imports, services


class Command(BaseCommand):
    help = (
        "Import staff from a CSV file (header: "
        f"{imports.HEADER_LINE}). Any bad row: nothing is written, every bad row is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The staff CSV file, or - for standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )
        parser.add_argument(
            "--set-password",
            metavar="PW",
            help="Password for newly created users (demos, tests). "
            "Without it they get an unusable password and an email with a set-password link.",
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=imports.MAX_ROWS,
            help=f"Refuse a file with more data rows than this (default {imports.MAX_ROWS}, "
            "as on the HR page).",
        )
        parser.add_argument(
            "--no-links",
            action="store_true",
            help="Do not email set-password links to newly created users.",
        )
        parser.add_argument(
            "--base-url",
            default=settings.SHAREKPI_BASE_URL,
            help="Address of the app used in the links (default: SHAREKPI_BASE_URL).",
        )

    def handle(self, *args, file, dry_run=False, set_password=None, no_links=False, **options):
        content = self._read(file)
        if len(content) > imports.MAX_BYTES:
            raise CommandError(
                f"{file} is larger than {imports.MAX_BYTES // (1024 * 1024)} MB "
                "(the limit of the HR page too); split it into parts. Nothing was written."
            )
        plan = imports.plan_import(content=content, max_rows=options["max_rows"])
        verbosity = options.get("verbosity", 1)

        for warning in plan.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(f"{plan.row_count} row(s) read from {file}.")
        if not plan.is_valid:
            for error in plan.errors:
                self.stderr.write(self.style.ERROR(str(error)))
            raise CommandError(f"{plan.bad_line_count} bad line(s) in {file}; nothing was written.")

        if verbosity >= 2:
            for change in plan.pending:
                detail = f": {change.summary}" if change.summary else ""
                self.stdout.write(
                    f"  line {change.line}: {change.action} {change.staff_id}{detail}"
                )
        if dry_run:
            self._counts("Would do:", plan.counts, len(plan.new_unit_paths))
            self.stdout.write("Dry run: nothing was written.")
            return
        try:
            result = imports.apply_import(plan=plan, set_password=set_password)
        except imports.StaffImportError as exc:
            for error in exc.errors:
                self.stderr.write(self.style.ERROR(str(error)))
            raise CommandError(f"{exc} Nothing was written.") from exc
        self._counts("Done:", result.counts, result.units_created)
        if not set_password and not no_links and result.created_staff_ids:
            users = services.new_staff_without_password(result.created_staff_ids)
            sent = services.send_set_password_links(users=users, base_url=options["base_url"])
            self.stdout.write(f"Set-password links emailed to {sent} new user(s).")
        self.stdout.write(
            self.style.SUCCESS("Import done." if result.written else "Nothing to change.")
        )

    def _read(self, file: str) -> bytes:
        if file == "-":
            return sys.stdin.buffer.read(imports.MAX_BYTES + 1)
        path = Path(file)
        try:
            with path.open("rb") as handle:
                return handle.read(imports.MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc

    def _counts(self, label: str, counts: dict[str, int], units: int) -> None:
        parts = [f"{action}: {count}" for action, count in counts.items()]
        self.stdout.write(f"{label} {', '.join(parts)}, new units: {units}")
