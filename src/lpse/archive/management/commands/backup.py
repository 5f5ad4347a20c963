"""``lpse backup run | verify | list | drill | prune`` (SPEC 6, R-6.1–R-6.3; docs/backups.md).

lpse backup run                       back up to every LPSE_BACKUP_TARGETS entry
lpse backup list                      the backups on each target
lpse backup verify [--read-data --identity KEY] [--subset 1/7] [--backup ID]
lpse backup drill --identity KEY [--backup ID]
lpse backup prune                     apply LPSE_BACKUP_KEEP now
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from lpse.archive import keys, manifest
from lpse.archive.progress import Bar
from lpse.archive.services import backup, drill, verify
from lpse.archive.targets import TargetError, configured_targets, target_from_spec


class Command(BaseCommand):
    help = "Make, list, verify, drill and prune backups (encrypted to the offline key)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "list", "verify", "drill", "prune"])
        parser.add_argument("--target", help="one target (folder:… or s3://…) instead of all")
        parser.add_argument(
            "--backup", default=None, help="a backup id (default: all; drill: latest)"
        )
        parser.add_argument("--identity", help="the offline age key file (for --read-data, drill)")
        parser.add_argument("--read-data", action="store_true", help="decrypt every piece too")
        parser.add_argument("--subset", help="check only part n of t, e.g. 1/7")
        parser.add_argument("--signer", help="the LPSE's public key (PEM) the manifests must carry")
        parser.add_argument("--by", default="", help="drill: who performs it (duty register)")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except (
            backup.BackupRefused,
            keys.KeyProblem,
            TargetError,
            manifest.ManifestRefused,
            ValueError,
        ) as exc:
            raise CommandError(str(exc)) from None

    def _targets(self, spec: str | None):
        return [target_from_spec(spec)] if spec else configured_targets()

    def _signer(self, path: str | None) -> str | None:
        if not path:
            return None
        try:
            with open(path, encoding="utf-8") as pem:
                return pem.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None

    def _run(self, **options):
        if options["target"]:
            raise CommandError("a backup goes to every configured target; omit --target")
        runs = backup.run_backup(trigger="command", progress=Bar())
        failed = False
        for run in runs:
            if run.state == "good":
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{run.backup_id} → {run.target}: good, {run.pieces} pieces "
                        f"({run.pieces_new} new, {run.new_bytes} bytes written), "
                        f"{run.duration_seconds:.1f} s"
                    )
                )
            else:
                failed = True
                self.stderr.write(f"{run.backup_id} → {run.target}: FAILED: {run.error}")
        if failed:
            raise CommandError("at least one target failed; the previous backups stay valid")

    def _list(self, **options):
        for target in self._targets(options["target"]):
            self.stdout.write(f"{target.name}:")
            for backup_id in manifest.backup_ids(target):
                self.stdout.write(f"  {backup_id}")

    def _verify(self, **options):
        identities = keys.load_identities(options["identity"]) if options["read_data"] else None
        if options["read_data"] and not options["identity"]:
            raise CommandError("--read-data needs --identity (the offline key file)")
        subset = verify.parse_subset(options["subset"]) if options["subset"] else None
        bad = False
        for target in self._targets(options["target"]):
            report = verify.verify(
                target,
                backup_ids=[options["backup"]] if options["backup"] else None,
                identities=identities,
                subset=subset,
                public_pem=self._signer(options["signer"]),
                progress=Bar(bytes_=False).count,
            )
            if report.ok:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{target.name}: OK, {len(report.backup_ids)} backups, "
                        f"{report.checked} pieces checked"
                        + (" and decrypted" if identities else "")
                    )
                )
            else:
                bad = True
                for problem in report.problems:
                    self.stderr.write(f"{target.name}: {problem}")
        if bad:
            raise CommandError("verification found problems (listed above)")

    def _drill(self, **options):
        if not options["identity"]:
            raise CommandError("a drill restores: give --identity (the offline key file)")
        identities = keys.load_identities(options["identity"])
        failed = False
        for target in self._targets(options["target"]):
            done = drill.drill(
                target,
                options["backup"] or "latest",
                identities=identities,
                by=options["by"] or "lpse backup drill",
                public_pem=self._signer(options["signer"]),
            )
            line = f"{target.name}: drill of {done.backup_id} {done.result} in {done.seconds} s"
            if done.result == "passed":
                self.stdout.write(self.style.SUCCESS(line))
            else:
                failed = True
                self.stderr.write(f"{line}: {done.details.get('problem')}")
        if failed:
            raise CommandError("the drill failed (see above); the drill is recorded")

    def _prune(self, **options):
        for target in self._targets(options["target"]):
            dropped = backup.apply_retention(target)
            self.stdout.write(f"{target.name}: {len(dropped)} backups removed by the rule")
