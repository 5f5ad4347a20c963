"""``lpse audit verify`` walks the hash chain (R-9.4); ``lpse audit head`` prints its head."""

from django.core.management.base import BaseCommand, CommandError

from lpse.core.audit import current_head, verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain, or print its head."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "head"])

    def handle(self, *args, action: str, **options):
        if action == "head":
            head = current_head()
            self.stdout.write(f"{head.seq} {head.hash}" if head else "0 (empty)")
            return
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"audit chain BROKEN at event #{report.first_bad_seq}: {report.problem} "
                f"({report.events} events verified before it)"
            )
        self.stdout.write(
            self.style.SUCCESS(f"audit chain OK: {report.events} events, head {report.head_hash}")
        )
