"""``lpse apendo``: the offline side of sealed bids (R-7.1 Apendo).

    lpse apendo encrypt --recipient age1… --tender CODE --price 1250000000 --validity 60 \\
                        [--document FILE …] -o bid.age
    lpse apendo keygen --tender CODE --threshold 3 --recipient age1… (one per member) -o key.json
    lpse apendo open-share SEALED_SHARE --identity KEY | --sealed-key KEY.age   (R-9.9)
    lpse apendo import-key --tender CODE --user COMMITTEE_MEMBER key.json
    lpse apendo diagnose bid.age [--size N --sha256 HEX]
    lpse apendo verify-receipt receipt.json --public-key lpse-receipt-key.pem
    lpse apendo signing-keygen --company NAME --npwp DIGITS -o key.age     (R-9.7)
    lpse apendo sign --key key.age --tender CODE bid.age [-o bid.age.sig]  (R-9.7)
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lpse.bids import apendo_keys, apendo_signing, envelope, keys, receipts
from lpse.core.hashing import fingerprint_file


class Command(BaseCommand):
    help = "Encrypt bids offline, make tender keys offline, diagnose envelopes, verify receipts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        enc = sub.add_parser("encrypt", help="pack and encrypt a bid to a tender's public key")
        enc.add_argument("--recipient", required=True, help="the tender's public key (age1…)")
        enc.add_argument("--tender", required=True)
        enc.add_argument("--price", required=True, help="total price in rupiah, e.g. 1250000000.50")
        enc.add_argument("--validity", required=True, type=int, help="days the offer is valid")
        enc.add_argument("--document", action="append", default=[], type=Path)
        enc.add_argument("-o", "--output", required=True, type=Path)
        gen = sub.add_parser("keygen", help="make a tender key offline, split k-of-n")
        gen.add_argument("--tender", required=True)
        gen.add_argument("--threshold", required=True, type=int)
        gen.add_argument(
            "--recipient",
            action="append",
            required=True,
            help="each committee member's opening key (age1…)",
        )
        gen.add_argument("-o", "--output", required=True, type=Path)
        imp = sub.add_parser("import-key", help="give the server an offline tender key")
        imp.add_argument("--tender", required=True)
        imp.add_argument("--user", required=True, help="the committee member doing it")
        imp.add_argument("file", type=Path)
        dia = sub.add_parser("diagnose", help="say why an envelope would not open")
        dia.add_argument("file", type=Path)
        dia.add_argument("--size", type=int, help="size on the receipt")
        dia.add_argument("--sha256", help="SHA-256 on the receipt")
        ver = sub.add_parser("verify-receipt", help="check a receipt's signature offline")
        ver.add_argument("file", type=Path)
        ver.add_argument("--public-key", required=True, type=Path)
        apendo_signing.add_parsers(sub)
        apendo_keys.add_parsers(sub)

    def handle(self, *args, action: str, **options):
        getattr(self, "_" + action.replace("-", "_"))(**options)

    def _signing_keygen(self, **options):
        apendo_signing.signing_keygen(self, **options)

    def _sign(self, **options):
        apendo_signing.sign(self, **options)

    def _open_share(self, **options):
        apendo_keys.open_share(self, **options)

    def _encrypt(self, *, recipient, tender, price, validity, document, output, **_):
        try:
            total = Decimal(price)
        except InvalidOperation:
            raise CommandError(f"--price {price!r} is not a number (use 1250000000.50)") from None
        missing = [str(p) for p in document if not p.is_file()]
        if missing:
            raise CommandError(f"no such document: {', '.join(missing)}")
        try:
            keys.check_recipient(recipient)
        except keys.TenderKeyError as exc:
            raise CommandError(str(exc)) from None
        offer = envelope.Offer(
            tender=tender, total_price=total, validity_days=validity, declarations=["integrity"]
        )
        with tempfile.NamedTemporaryFile(suffix=".tar") as plain:
            plain.write(envelope.pack(offer, document))
            plain.flush()
            partial = output.with_suffix(output.suffix + ".part")
            envelope.encrypt_file(Path(plain.name), partial, recipient)
            partial.replace(output)
        fp = fingerprint_file(output)
        self.stdout.write(f"{output}: {fp.size} bytes, SHA-256 {fp.sha256}, MD5 {fp.md5}")

    def _keygen(self, *, tender, threshold, recipient, output, **_):
        try:
            material = keys.generate(
                tender_code=tender, threshold=threshold, member_recipients=recipient
            )
        except keys.TenderKeyError as exc:
            raise CommandError(str(exc)) from None
        output.write_text(material.to_json())
        self.stdout.write(
            f"tender {tender}: public key {material.recipient}, "
            f"{threshold} of {len(recipient)} shares; written to {output}. "
            "The private key was never written anywhere."
        )

    def _import_key(self, *, tender, user, file, **_):
        from lpse.accounts.selectors import user_by_username
        from lpse.bids.services.tender_keys import tender_key_import
        from lpse.core.errors import DomainError
        from lpse.tenders.selectors.lookup import tender_by_code

        actor = user_by_username(user)
        item = tender_by_code(tender)
        if actor is None or item is None:
            raise CommandError("no such user or tender")
        try:
            key = tender_key_import(
                actor=actor, tender=item, material_json=file.read_text(), offline=True
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"tender {tender} now takes bids for {key.recipient}")

    def _diagnose(self, *, file, size, sha256, **_):
        if not file.is_file():
            raise CommandError(f"no such file: {file}")
        fp = fingerprint_file(file)
        problems = []
        if size is not None and fp.size < size:
            problems.append(f"truncated: {fp.size} of the {size} bytes on the receipt")
        elif sha256 and fp.sha256 != sha256.lower():
            problems.append("corrupted: the SHA-256 differs from the receipt's")
        try:
            envelope.check_header(file)
        except envelope.EnvelopeError as exc:
            problems.append(str(exc))
        self.stdout.write(f"{file}: {fp.size} bytes, SHA-256 {fp.sha256}")
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(
            "no problem visible without the key: an age envelope with an X25519 "
            "recipient, intact as far as the receipt tells"
        )

    def _verify_receipt(self, *, file, public_key, **_):
        try:
            receipt = json.loads(file.read_text())
            receipts.verify(receipt, public_key.read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read: {exc}") from None
        except receipts.ReceiptInvalid as exc:
            raise CommandError(f"receipt NOT valid: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"receipt valid: bid {receipt['bid']} for tender {receipt['tender']} by "
                f"{receipt['provider']}, received {receipt['received_at']}, SHA-256 {receipt['sha256']}"
            )
        )
