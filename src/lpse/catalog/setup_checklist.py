"""What a fresh installation still needs before it can serve (``lpse setup`` prints it; the
application administrator's home page shows it until every item is done)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lpse.accounts import selectors as accounts
from lpse.accounts.roles import Role
from lpse.catalog.models import ReferenceDataset
from lpse.catalog.reference import manifest
from lpse.core import signing


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    done: bool
    how: str


def setup_steps() -> list[Step]:
    loaded = set(ReferenceDataset.objects.values_list("key", flat=True))
    return [
        Step(
            "reference_data",
            str(_("Reference data loaded (business fields, goods categories)")),
            {d.key for d in manifest()} <= loaded,
            str(_("Run: lpse setup")),
        ),
        Step(
            "app_admin",
            str(_("An application administrator")),
            accounts.users_with_role(Role.APP_ADMIN).exists(),
            str(_("Run: lpse setup --admin USER --email ADDRESS")),
        ),
        Step(
            "agencies",
            str(_("At least one agency (SKPD)")),
            accounts.agencies_with_counts().exists(),
            str(_("Add the agencies on the Agencies (SKPD) page.")),
        ),
        Step(
            "verifiers",
            str(_("At least one verifier")),
            accounts.users_with_role(Role.VERIFIER).exists(),
            str(_("Create a staff account with the verifier role on the Staff accounts page.")),
        ),
        Step(
            "smtp",
            str(_("An SMTP server for e-mail")),
            bool(settings.EMAIL_HOST),
            str(_("Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD).")),
        ),
        Step(
            "signing_key",
            str(_("The LPSE signing key (receipts, signed documents)")),
            # The same path signing_key() writes to; its existence is the check.
            signing._key_path().exists(),
            str(_("Run: lpse setup (it makes one), or set LPSE_SIGNING_KEY_FILE.")),
        ),
        Step(
            "backups",
            str(_("Backups: a target and the offline key (SPEC 6)")),
            bool(settings.LPSE_BACKUP_TARGETS and settings.LPSE_BACKUP_RECIPIENTS),
            str(
                _(
                    "Set LPSE_BACKUP_TARGETS and LPSE_BACKUP_RECIPIENTS (the age public key of "
                    "the offline backup key): see docs/backups.md."
                )
            ),
        ),
    ]


def steps_left() -> list[Step]:
    return [step for step in setup_steps() if not step.done]
