"""``manage.py verify_audit``: recompute the audit chain.

Prints the number of entries and the head hash and exits 0 when the chain is
intact; prints the first entry that was edited, deleted or inserted out of
order and exits 1 otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from audit import selectors


class Command(BaseCommand):
    help = (
        "Recompute the audit log's hash chain. Exit 0 and print the entry count and head "
        "hash when it is intact; print the first problem and exit 1 otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="Entries read per query (default 1000).",
        )

    def handle(self, *args, batch_size: int, **options):
        report = selectors.verify_chain(batch_size=max(1, batch_size))
        if not report.ok:
            self.stderr.write(f"entries: {report.count}")
            self.stderr.write(f"head: {report.head_hash}")
            raise CommandError(f"audit chain broken: {report.problem}", returncode=1)
        self.stdout.write(f"entries: {report.count}")
        self.stdout.write(f"head: {report.head_hash}")
        self.stdout.write(self.style.SUCCESS("audit chain intact"))
