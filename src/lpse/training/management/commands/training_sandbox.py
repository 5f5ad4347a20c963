"""``lpse training_sandbox``: the training environment of R-2.2 (see docs/training-sandbox.md).

lpse training_sandbox reset     throw the sandbox away, build a fresh one with the demo data
lpse training_sandbox status    where it is, when it was reset, what it holds
lpse training_sandbox serve     serve it (default 127.0.0.1:8001), building it first if missing
lpse training_sandbox run ARGS  any lpse command on the sandbox (createsuperuser, shell …)
"""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from lpse.training import sandbox


class Command(BaseCommand):
    help = "The training environment: a separate sandbox database with demo data (R-2.2)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("reset", help="build a fresh sandbox with the demo data")
        actions.add_parser("status", help="where the sandbox is and what it holds")
        serve = actions.add_parser("serve", help="serve the sandbox (builds it if missing)")
        serve.add_argument("--bind", default=sandbox.DEFAULT_BIND, help="HOST:PORT to listen on")
        serve.add_argument(
            "--base-url", default="", help="its public address (default http://BIND)"
        )
        serve.add_argument("--workers", type=int, default=2)
        run = actions.add_parser("run", help="run an lpse command on the sandbox")
        run.add_argument("command_args", nargs=argparse.REMAINDER, metavar="ARGS")
        # Internal: the child process of `reset`. Refuses to run anywhere but a new sandbox.
        actions.add_parser("build", help=argparse.SUPPRESS)

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except sandbox.SandboxError as exc:
            raise CommandError(str(exc)) from None

    def do_reset(self, **options):
        self.stdout.write(f"building a fresh training sandbox in {sandbox.sandbox_dir()} …")
        self._report(sandbox.reset())
        self.stdout.write(self.style.SUCCESS("training sandbox reset; production data untouched"))

    def do_status(self, **options):
        self._report(sandbox.status())

    def _report(self, status: sandbox.Status) -> None:
        if not status.exists:
            self.stdout.write(
                f"no training sandbox in {status.directory}: lpse training_sandbox reset"
            )
            return
        self.stdout.write(
            f"training sandbox: {status.directory}\n"
            f"  database: {status.database}\n"
            f"  reset at: {status.reset_at or 'unknown'} by {status.reset_by or 'unknown'}\n"
            f"  {status.users} accounts, {status.tenders} tenders (demo data)\n"
            f"  serve it: lpse training_sandbox serve --bind {sandbox.DEFAULT_BIND}"
        )

    def do_serve(self, *, bind: str, base_url: str, workers: int, **options):
        if not sandbox.status().exists:
            self.do_reset()
        base_url = base_url.rstrip("/") or f"http://{bind}"
        hosts = [h for h in (urlsplit(base_url).hostname, bind.rsplit(":", 1)[0]) if h]
        self.stdout.write(f"serving the training sandbox at {base_url}/ (Ctrl+C stops it)")
        try:
            result = sandbox.command(
                ["serve"],
                base_url=base_url,
                allowed_hosts=hosts,
                extra_env={"LPSE_BIND": bind, "LPSE_WORKERS": str(workers)},
            )
        except KeyboardInterrupt:  # Ctrl+C reached the server too, which stops on it
            return
        if result.returncode:
            raise CommandError(f"the sandbox server stopped with exit status {result.returncode}")

    def do_run(self, *, command_args: list[str], **options):
        args = command_args
        if args and args[0] == "--":
            args = args[1:]
        if not args:
            raise CommandError("name the lpse command to run on the sandbox, e.g. `run shell`")
        result = sandbox.command(args)
        if result.returncode:
            raise CommandError(f"`lpse {' '.join(args)}` exited with status {result.returncode}")

    def do_build(self, **options):
        sandbox.build_here()
