"""``lpse audit verify`` walks the hash chain (R-9.4) and, with ``--against HEAD_FILE``, checks
the log against a tree head copied out earlier (R-9.8); ``lpse audit head`` prints the chain's
head; ``lpse audit sign-head`` signs and prints the transparency log's head (JSON)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lpse.core.audit import current_head, verify_chain
from lpse.core.transparency import LogProblem, tree_head_sign, verify_against


class Command(BaseCommand):
    help = (
        "Verify the audit log (its hash chain; with --against, against a tree head copied out "
        "earlier), print the chain's head, or sign the transparency log's head."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "head", "sign-head"])
        parser.add_argument(
            "--against",
            metavar="HEAD_FILE",
            help="a signed tree head (JSON) published or e-mailed earlier: the log must extend it",
        )

    def handle(self, *args, action: str, against: str | None = None, **options):
        if action == "head":
            head = current_head()
            self.stdout.write(f"{head.seq} {head.hash}" if head else "0 (empty)")
            return
        if action == "sign-head":
            self.stdout.write(json.dumps(tree_head_sign(), indent=2))
            return
        if against:
            try:
                held = json.loads(Path(against).read_text())
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read the head {against}: {exc}") from None
            try:
                self.stdout.write(
                    self.style.SUCCESS(f"transparency log OK: {verify_against(held)}")
                )
            except LogProblem as exc:
                raise CommandError(f"transparency log BROKEN: {exc}") from None
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
