from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from lpse.accounts.roles import Role, capabilities_of

WEEKDAYS_VALIDATOR = RegexValidator(r"^[1-7]{1,7}$", _("Use day numbers 1 (Monday) to 7 (Sunday)."))


class Agency(models.Model):
    """A regional government work unit (SKPD)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency (SKPD)")
        verbose_name_plural = _("agencies (SKPD)")

    def __str__(self) -> str:
        return self.name


class WorkUnit(models.Model):
    """A work unit (satuan kerja) inside an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="work_units")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unique_work_unit")]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency.name}"


class User(AbstractUser):
    """A person. ``username`` is the User ID a provider chooses at registration (R-1.3)."""

    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("agency"),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    employee_number = models.CharField(_("employee number (NIP)"), max_length=30, blank=True)

    class Meta:
        ordering = ["username"]

    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = (
                set(self.role_grants.values_list("role", flat=True)) if self.pk else set()
            )
        return self._role_codes

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django keeps this in the session and signs the person out when it changes: ours covers
        the roles too, so a role given or taken away ends the person's other sessions, as a new
        password does (issue 21, ASVS V7.2.4 and V7.4.x: session renewed at a privilege change)."""
        roles = ",".join(sorted(self.role_codes()))
        return salted_hmac(
            "lpse.accounts.User.session_auth_hash",
            f"{self.password}|{roles}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def has_role(self, role: str) -> bool:
        return role in self.role_codes()

    def capabilities(self) -> frozenset[str]:
        return capabilities_of(self.role_codes())

    @property
    def is_staff_member(self) -> bool:
        """Anyone with a role other than provider: these need a second factor."""
        return bool(self.role_codes() - {Role.PROVIDER})


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_grant")]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.role}"


class LoginWindow(models.Model):
    """Hours in which an account may sign in (R-5.7).

    A window belongs either to a role (the default for everyone holding it) or to one user (which
    then replaces the role windows for that user). Days are digits 1–7 (Monday–Sunday), times WITA.
    """

    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="login_windows"
    )
    weekdays = models.CharField(_("days"), max_length=7, validators=[WEEKDAYS_VALIDATOR])
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(user__isnull=True) & ~models.Q(role=""))
                | (models.Q(user__isnull=False) & models.Q(role="")),
                name="login_window_role_xor_user",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="login_window_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        who = self.user.username if self.user_id else self.role
        return f"{who}: {self.weekdays} {self.start:%H:%M}–{self.end:%H:%M}"


class PasswordLink(models.Model):
    """A one-time, expiring link with which a person sets their own password (R-1.5 [safer]).

    Only the SHA-256 of the token is stored; the token itself exists only in the e-mail.
    """

    class Purpose(models.TextChoices):
        ACTIVATION = "activation", _("account activation")
        RESET = "reset", _("password reset")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.user.username}"


class Deactivation(models.Model):
    """An account taken out of use, with why, by whom and when; and, once it is back, the same
    for its reactivation. Nothing of the account is deleted: the row keeps the history, and an
    open row (no ``reactivated_at``) is what tells a deactivated account from a provider's account
    that was never activated (only the verifier activates those, R-1.5)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="deactivations")
    reason = models.TextField(_("reason"))
    deactivated_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    deactivated_at = models.DateTimeField()
    reactivated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reactivated_at = models.DateTimeField(null=True, blank=True)
    reactivation_reason = models.TextField(_("reason for reactivation"), blank=True)

    class Meta:
        ordering = ["-deactivated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(reactivated_at__isnull=True),
                name="one_open_deactivation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.username} deactivated {self.deactivated_at:%Y-%m-%d}"


from lpse.accounts.models_sessions import SecondFactorReset, UserSession  # noqa: E402

__all__ = [
    "Agency",
    "Deactivation",
    "LoginWindow",
    "PasswordLink",
    "RoleGrant",
    "SecondFactorReset",
    "User",
    "UserSession",
    "WorkUnit",
]
