"""A person's sessions and the reset of a lost second factor (issue 21, ASVS V7.4.3, V7.5.2,
V6.4.4). Imported by ``models`` so that Django sees them; kept apart to keep each module small.

``UserSession`` is LPSE's own record of one signed-in browser, beside Django's session row: the
session key changes while a person is signed in (at sign-in, again after the second factor), so
the record is found by a random ``ref`` kept inside the session, and the key it holds is brought
up to date by the session policy middleware. A session whose record is gone has been ended: the
middleware signs it out even if its Django row were somehow still there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserSession(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions"
    )
    ref = models.CharField(max_length=43, unique=True)
    session_key = models.CharField(max_length=40, db_index=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # As seen at sign-in (the address through the trusted proxies, ``client_address``).
    address = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.address} since {self.started_at:%Y-%m-%d %H:%M}"


class SecondFactorReset(models.Model):
    """A staff member lost their authenticator. One administrator checks who they are, as at
    enrolment (the original ID card and the staff record), and opens the reset; a *second*
    administrator applies it: the device is removed, the person's sessions end, and at the next
    sign-in they enrol a new one. Two people, as for binding a company's signing key (R-3.2):
    one insider alone cannot take over a staff account by resetting its second factor."""

    class State(models.TextChoices):
        CHECKED = "checked", _("Identity checked: waiting for a second administrator")
        APPLIED = "applied", _("Applied: the old authenticator was removed")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="second_factor_resets"
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.CHECKED)
    note = models.TextField(_("how the identity was checked"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state="checked"),
                name="one_open_second_factor_reset",
            )
        ]

    def __str__(self) -> str:
        return f"second factor reset of {self.user_id} ({self.state})"
