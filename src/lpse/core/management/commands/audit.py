"""``lpse audit verify`` walks the hash chain (R-9.4) and, with ``--against FILE``, checks the log
against a tree head copied out earlier (R-9.8) — a head file, or the head inside a log proof or a
receipt or report PDF; ``lpse audit verify-proof FILE`` checks the log proof a receipt or report
carries and that the log still holds it; ``lpse audit head`` prints the chain's head;
``lpse audit sign-head`` signs and prints the transparency log's head (JSON)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lpse.core.audit import current_head, verify_chain
from lpse.core.documents import pdf_log_proof, pdf_log_proof_check
from lpse.core.log_proof import PROOF_FORMAT, ProofProblem, verify_proof
from lpse.core.models import TreeHead
from lpse.core.signing import public_key_pem
from lpse.core.transparency import LogProblem, tree_head_sign, verify_against


class Command(BaseCommand):
    help = (
        "Verify the audit log (its hash chain; with --against, against a tree head copied out "
        "earlier), verify a document's log proof (verify-proof FILE), print the chain's head, "
        "or sign the transparency log's head."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "verify-proof", "head", "sign-head"])
        parser.add_argument(
            "file",
            nargs="?",
            metavar="FILE",
            help="verify-proof: a log proof (a receipt's bukti-log.json) or a receipt or report PDF",
        )
        parser.add_argument(
            "--against",
            metavar="HEAD_FILE",
            help="a signed tree head (JSON) published or e-mailed earlier, or a log proof or PDF "
            "that carries one: the log must extend it",
        )

    def handle(self, *args, action: str, file=None, against: str | None = None, **options):
        if action == "head":
            head = current_head()
            self.stdout.write(f"{head.seq} {head.hash}" if head else "0 (empty)")
            return
        if action == "sign-head":
            self.stdout.write(json.dumps(tree_head_sign(), indent=2))
            return
        if action == "verify-proof":
            self._verify_proof(file)
            return
        if against:
            try:
                self.stdout.write(
                    self.style.SUCCESS(f"transparency log OK: {verify_against(_held(against))}")
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

    def _verify_proof(self, file: str | None) -> None:
        if not file:
            raise CommandError("give the file: lpse audit verify-proof bukti-log.json (or a PDF)")
        data = _read(file)
        try:
            if data.startswith(b"%PDF"):
                check = pdf_log_proof_check(data, public_key_pem())
                proof = pdf_log_proof(data) or {}
            else:
                proof = _json(data, file)
                check = verify_proof(proof, public_key_pem())
        except ProofProblem as exc:
            raise CommandError(f"log proof NOT valid: {exc}") from None
        head = proof["head"]
        try:
            holds = verify_against(head)
        except LogProblem as exc:
            raise CommandError(
                f"log proof valid, but the log BROKE since: {exc} ({check.summary})"
            ) from None
        # Signed by this key, yet no longer among the heads this LPSE keeps and publishes: a
        # head it has taken back (the rows were removed), which this file still proves.
        if not TreeHead.objects.filter(
            tree_size=head["tree_size"], root_hash=head["root_hash"]
        ).exists():
            raise CommandError(
                f"log proof NOT valid: Unknown head: tree size {head['tree_size']}, root "
                f"{head['root_hash'][:16]}… is signed by this LPSE's key but is not among the "
                "heads it has published. Compare with /transparansi/heads.json and your copies; "
                "keep this file: it shows a head was taken back."
            )
        self.stdout.write(self.style.SUCCESS(check.summary))
        self.stdout.write(f"the log as it stands holds it: {holds}")


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _json(data: bytes, path: str):
    try:
        return json.loads(data)
    except ValueError as exc:
        raise CommandError(f"cannot read {path}: not JSON ({exc})") from None


def _held(path: str) -> dict:
    """The head in a head file, a log proof, or a receipt or report PDF (R-9.8: the head
    inside a receipt proves a later rewrite as well as one copied from the public feed)."""
    data = _read(path)
    held: object
    if data.startswith(b"%PDF"):
        held = pdf_log_proof(data)
        if held is None:
            raise CommandError(f"cannot read the head {path}: the PDF carries no log proof")
    else:
        try:
            held = json.loads(data)
        except ValueError as exc:
            raise CommandError(f"cannot read the head {path}: {exc}") from None
    if isinstance(held, dict) and held.get("format") == PROOF_FORMAT:
        held = held.get("head")
    return held if isinstance(held, dict) else {}
