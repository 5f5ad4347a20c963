"""``lpse setup``: make an empty database ready to serve, and say what is left. Idempotent:
run it again after an upgrade to load newer reference data."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from lpse.accounts import selectors as accounts
from lpse.accounts.roles import Role
from lpse.accounts.services import user_bootstrap
from lpse.catalog.reference import ReferenceFileChanged
from lpse.catalog.services import reference_data_load
from lpse.catalog.setup_checklist import setup_steps
from lpse.core import signing
from lpse.core.errors import DomainError

MIN_PASSWORD = 12


class Command(BaseCommand):
    help = (
        "Prepare a new LPSE: migrate, load the reference data files, create the first"
        " application administrator, and print what is left to do."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin", metavar="USER", help="first application administrator")
        parser.add_argument("--email", metavar="ADDRESS", help="the administrator's e-mail")
        parser.add_argument(
            "--password-file",
            metavar="PATH",
            help="read the administrator's password from this file (else it is asked for)",
        )

    def handle(self, *args, admin=None, email=None, password_file=None, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database: migrated")
        try:
            report = reference_data_load(actor=None)
        except ReferenceFileChanged as exc:
            raise CommandError(str(exc)) from None
        for key, counts in report.items():
            self.stdout.write(
                f"reference data {key}: {counts['added']} added, {counts['updated']} updated,"
                f" {counts['kept']} kept"
            )
        if not report:
            self.stdout.write("reference data: up to date")
        signing.signing_key()  # made once into the data folder unless one is configured
        self._first_admin(admin, email, password_file)
        self.stdout.write("\nCheck list:")
        for step in setup_steps():
            mark = "[x]" if step.done else "[ ]"
            line = f"  {mark} {step.label}"
            self.stdout.write(line if step.done else f"{line}  — {step.how}")

    def _first_admin(self, username, email, password_file) -> None:
        if accounts.users_with_role(Role.APP_ADMIN).exists():
            if username:
                self.stdout.write("application administrator: one exists already, none created")
            return
        if not username or not email:
            self.stdout.write("application administrator: none yet (give --admin and --email)")
            return
        if password_file:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        else:
            password = getpass.getpass("Password for the administrator: ")
        if len(password) < MIN_PASSWORD:
            raise CommandError(f"Use a password of at least {MIN_PASSWORD} characters.")
        try:
            user_bootstrap(
                username=username, email=email, roles={Role.APP_ADMIN}, password=password
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"application administrator {username}: created")
