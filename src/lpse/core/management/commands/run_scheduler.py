"""``lpse run_scheduler``: the embedded periodic-job runner, as its own process.

``lpse demo`` and ``lpse serve`` (without a broker) start it beside the web server. A separate
process rather than a thread in the server: a thread in gunicorn's master could be half-way
through an import or holding a lock at the moment a worker is forked.
"""

import threading

from django.core.management.base import BaseCommand

from lpse.core.scheduler import run_forever


class Command(BaseCommand):
    help = "Run the periodic jobs in-process: this node's, and the installation's without a broker."

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=30.0, help="seconds between checks")
        parser.add_argument(
            "--node-only",
            action="store_true",
            help="only this node's jobs (a broker is configured and Celery beat runs the rest)",
        )

    def handle(self, *args, poll: float, node_only: bool, **options):
        run_forever(threading.Event(), poll_seconds=poll, installation_jobs=not node_only)
