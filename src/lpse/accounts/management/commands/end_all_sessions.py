from django.core.management.base import BaseCommand, CommandError

from lpse.accounts.session_records import sessions_end_everyone
from lpse.core.errors import DomainError


class Command(BaseCommand):
    help = "Sign everybody out at once (a suspected breach), with the reason kept in the audit log."

    def add_arguments(self, parser):
        parser.add_argument("--reason", required=True, help="why; kept in the audit log")

    def handle(self, *args, reason, **options):
        try:
            ended = sessions_end_everyone(reason=reason)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"{ended} session(s) ended"))
