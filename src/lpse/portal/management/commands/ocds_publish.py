"""``lpse ocds_publish`` publishes the OCDS releases of what changed since the last run and
refreshes the bulk files, as the periodic job does (R-9.5); ``--full`` looks at every announced
tender again, to repair after a change the audit log does not name (a builder fixed, an agency
renamed). Releases already published never change: a difference is a new release."""

from django.core.management.base import BaseCommand

from lpse.portal.ocds.jobs import ocds_publish


class Command(BaseCommand):
    help = (
        "Publish the OCDS releases of the tenders changed since the last run and refresh the "
        "bulk files; --full looks at every announced tender."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="look at every announced tender (a repair)"
        )

    def handle(self, *args, full: bool = False, **options):
        made = ocds_publish(full=full)
        self.stdout.write(f"{made} new releases")
