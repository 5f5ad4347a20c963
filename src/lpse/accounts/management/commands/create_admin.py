import getpass

from django.core.management.base import BaseCommand, CommandError

from lpse.accounts.roles import Role
from lpse.accounts.services import user_bootstrap
from lpse.core.errors import DomainError


class Command(BaseCommand):
    help = "Create the first application administrator (asks for the password)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")

    def handle(self, *args, username, email, **options):
        password = getpass.getpass("Password: ")
        if len(password) < 12:
            raise CommandError("Use at least 12 characters.")
        try:
            user_bootstrap(
                username=username, email=email, roles={Role.APP_ADMIN}, password=password
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"application administrator {username} created"))
