"""``lpse restore --target T --identity KEY --data-dir DIR [--database-url URL] [--backup ID]
[--storage-url s3://…]``: a backup decrypted into an empty data folder (and, for PostgreSQL, an
empty database; with ``--storage-url`` the blobs into an empty bucket), every piece proven
against the signed manifest. See docs/backups.md."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lpse.archive import keys, manifest, pieces
from lpse.archive.progress import Bar
from lpse.archive.services.restore import RestoreRefused, restore
from lpse.archive.targets import TargetError, target_from_spec


class Command(BaseCommand):
    help = "Restore a backup into an empty data folder (and an empty PostgreSQL database)."

    def add_arguments(self, parser):
        parser.add_argument("--target", required=True, help="folder:/path or s3://bucket/prefix")
        parser.add_argument("--backup", default="latest", help="a backup id (default: the newest)")
        parser.add_argument("--identity", required=True, help="the offline age key file")
        parser.add_argument("--data-dir", required=True, help="an empty (or new) folder")
        parser.add_argument(
            "--database-url", help="an empty PostgreSQL database (PostgreSQL backups)"
        )
        parser.add_argument(
            "--storage-url",
            help="s3://bucket/prefix?endpoint=… — put the files into this empty bucket (the "
            "nodes' LPSE_STORAGE_URL; keys from LPSE_STORAGE_S3_ACCESS_KEY/…_SECRET_KEY) "
            "instead of the data folder",
        )
        parser.add_argument("--signer", help="the LPSE's public key (PEM) the manifest must carry")

    def handle(self, *args, **options):
        signer = None
        if options["signer"]:
            try:
                signer = Path(options["signer"]).read_text(encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot read {options['signer']}: {exc.strerror}") from None
        bar = Bar()
        try:
            report = restore(
                target_from_spec(options["target"]),
                options["backup"],
                identities=keys.load_identities(options["identity"]),
                data_dir=Path(options["data_dir"]).resolve(),
                database_url=options["database_url"],
                public_pem=signer,
                progress=lambda done, total: bar("restore", done, total),
                storage_url=options["storage_url"],
            )
        except (
            RestoreRefused,
            keys.KeyProblem,
            manifest.ManifestRefused,
            pieces.PieceDamaged,
            pieces.WrongKey,
            TargetError,
        ) as exc:
            raise CommandError(f"restore refused: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"restored {report.backup_id}: {report.pieces} pieces, {report.bytes} bytes, "
                f"every hash and row count as in the manifest, into {report.data_dir}"
                + (f" and {report.database}" if report.database_kind == "postgresql" else "")
                + (f", the files into {report.bucket}" if report.bucket else "")
            )
        )
        self.stdout.write(
            f"start it with LPSE_DATA_DIR={report.data_dir}"
            + (" DATABASE_URL=…" if report.database_kind == "postgresql" else "")
            + (f" LPSE_STORAGE_URL={options['storage_url']}" if report.bucket else "")
            + " lpse serve"
        )
