"""Every write to accounts, agencies, roles and login windows (DESIGN rule 1)."""

from __future__ import annotations

import secrets
from datetime import time, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from lpse.accounts import session_records
from lpse.accounts.models import Agency, LoginWindow, PasswordLink, RoleGrant, User, WorkUnit
from lpse.accounts.roles import AGENCY_ROLES, AGENCY_STAFF_ROLES, LPSE_STAFF_ROLES, Role
from lpse.accounts.selectors import normalize_user_id
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.core.hashing import token_digest
from lpse.core.mail import site_url
from lpse.core.tasks import send_mail_on_commit


def agency_create(*, actor, code: str, name: str) -> Agency:
    require_capability(actor, Cap.MANAGE_AGENCIES)
    code, name = code.strip().upper(), name.strip()
    if not code or not name:
        raise DomainError(_("Enter both the agency code and its name."))
    if Agency.objects.filter(code=code).exists():
        raise DomainError(
            _("An agency with code %(code)s already exists.") % {"code": code}, field="code"
        )
    if Agency.objects.filter(name__iexact=name).exists():
        raise DomainError(
            _("An agency named “%(name)s” already exists.") % {"name": name}, field="name"
        )
    with transaction.atomic():
        agency = Agency.objects.create(code=code, name=name)
        audit.record(
            actor=actor, action="agency.create", obj=agency, data={"code": code, "name": name}
        )
    return agency


def work_unit_create(*, actor, agency: Agency, name: str) -> WorkUnit:
    require_capability(actor, Cap.MANAGE_AGENCIES)
    with transaction.atomic():
        unit = WorkUnit.objects.create(agency=agency, name=name.strip())
        audit.record(actor=actor, action="work_unit.create", obj=unit, data={"agency": agency.code})
    return unit


def grantable_roles(actor) -> frozenset[str]:
    """Which roles ``actor`` may give to the accounts they create."""
    roles: set[str] = set()
    if Cap.MANAGE_LPSE_STAFF in actor.capabilities():
        roles |= LPSE_STAFF_ROLES
    if Cap.MANAGE_AGENCY_STAFF in actor.capabilities():
        roles |= AGENCY_STAFF_ROLES
    return frozenset(roles)


def _check_staff_scope(actor, roles: set[str], agency: Agency | None) -> None:
    allowed = grantable_roles(actor)
    refused = roles - allowed
    if not roles:
        raise DomainError(_("Choose at least one role."), field="roles")
    if refused:
        raise DomainError(
            _("You may not give the role(s) %(roles)s.") % {"roles": ", ".join(sorted(refused))},
            field="roles",
        )
    needs_agency = bool(roles & AGENCY_ROLES)
    if needs_agency and agency is None:
        raise DomainError(_("Agency staff must belong to an agency: choose one."), field="agency")
    if not needs_agency and agency is not None:
        raise DomainError(_("LPSE staff roles do not belong to an agency."), field="agency")
    # An agency admin works only inside their own agency.
    if Cap.MANAGE_LPSE_STAFF not in actor.capabilities() and agency != actor.agency:
        raise DomainError(_("You may only create accounts for your own agency."), field="agency")


def staff_create(
    *,
    actor,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: set[str],
    agency: Agency | None = None,
    employee_number: str = "",
) -> User:
    """Create a staff account and e-mail its owner a link to set their own password."""
    email = email.strip().lower()
    _check_staff_scope(actor, set(roles), agency)
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(
            _("“%(email)s” is not a valid e-mail address.") % {"email": email}, field="email"
        ) from None
    username = normalize_user_id(username, field="username")
    if User.objects.filter(username=username).exists():
        raise DomainError(
            _("The User ID “%(username)s” is already taken.") % {"username": username},
            field="username",
        )
    try:
        with transaction.atomic():
            user = User.objects.create(
                username=username,
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                agency=agency,
                employee_number=employee_number.strip(),
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            for role in sorted(roles):
                RoleGrant.objects.create(user=user, role=role, granted_by=actor)
            audit.record(
                actor=actor,
                action="user.create",
                obj=user,
                data={
                    "username": username,
                    "roles": sorted(roles),
                    "agency": agency.code if agency else None,
                },
            )
            password_link_send(user=user, purpose=PasswordLink.Purpose.ACTIVATION)
    except IntegrityError:
        raise DomainError(
            _("The User ID “%(username)s” is already taken.") % {"username": username},
            field="username",
        ) from None
    return user


def role_grant(*, actor, user: User, role: str, reason: str = "") -> RoleGrant:
    """Give ``user`` one more role, within the actor's scope; the reason (asked for by the
    account page) is kept in the audit log."""
    _check_staff_scope(actor, {role}, user.agency if role in AGENCY_ROLES else None)
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, defaults={"granted_by": actor}
        )
        if created:
            audit.record(
                actor=actor,
                action="role.grant",
                obj=user,
                data={"role": role, "reason": reason.strip()},
            )
    return grant


def password_link_send(*, user: User, purpose: str) -> str:
    """Issue a one-time link and e-mail it; returns the token (for tests and the CLI)."""
    token = secrets.token_urlsafe(32)
    hours = settings.LPSE_SET_PASSWORD_HOURS
    with transaction.atomic():
        PasswordLink.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        link = PasswordLink.objects.create(
            user=user,
            purpose=purpose,
            digest=token_digest(token),
            expires_at=timezone.now() + timedelta(hours=hours),
        )
        audit.record(
            actor=None,
            action="password_link.issue",
            obj=user,
            data={"purpose": purpose, "link": link.pk},
        )
        url = site_url("accounts:set_password", token)
        body = render_to_string(
            "accounts/email/set_password.txt",
            {
                "user": user,
                "url": url,
                "hours": hours,
                "purpose": purpose,
                "site_name": settings.LPSE_SITE_NAME,
            },
        )
        send_mail_on_commit(
            to=[user.email],
            subject=_("%(site)s: set your password") % {"site": settings.LPSE_SITE_NAME},
            body=body,
            secret=True,
        )
    return token


def account_activation_send(*, user: User) -> str:
    """E-mail the one-time link that activates an account (its owner sets the password), for
    callers outside accounts that must not know the link's purposes: a verified provider
    (R-1.5). Returns the token, as ``password_link_send`` does."""
    return password_link_send(user=user, purpose=PasswordLink.Purpose.ACTIVATION)


def password_link_check(token: str) -> PasswordLink:
    link = PasswordLink.objects.select_related("user").filter(digest=token_digest(token)).first()
    if link is None:
        raise DomainError(
            _("This link is not valid. Check that you copied the whole address."),
            code="invalid_link",
        )
    if link.used_at is not None:
        raise DomainError(
            _(
                "This link has already been used. If you still need to set a password, "
                "use “Forgot password” on the sign-in page."
            ),
            code="used_link",
        )
    if link.expires_at <= timezone.now():
        raise DomainError(
            _("This link has expired. Use “Forgot password” on the sign-in page to get a new one."),
            code="expired_link",
        )
    return link


def password_set_with_link(*, token: str, password: str) -> User:
    with transaction.atomic():
        link = password_link_check(token)
        # Compare-and-set: two tabs submitting the same link cannot both use it.
        if not PasswordLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        ):
            raise DomainError(_("This link has already been used."), code="used_link")
        user = link.user
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        audit.record(actor=user, action="password.set", obj=user, data={"via": link.purpose})
    return user


def password_reset_request(*, email: str) -> None:
    """Send a reset link if an active account has this address; say nothing either way."""
    for user in User.objects.filter(email__iexact=email.strip(), is_active=True):
        password_link_send(user=user, purpose=PasswordLink.Purpose.RESET)


def email_change_own(*, actor: User, new_email: str) -> User:
    """A signed-in person changes their own address (after re-authentication in the view).

    Not a provider: a company's address changes only through the procedure of R-3.2 (signed
    statement, the verifier's check of the KTP and deed, the administrator's change), which
    keeps the account and the company in step (``lpse.providers.services.email_change``)."""
    if getattr(actor, "company", None) is not None:
        raise DomainError(
            _(
                "A company's e-mail address is changed through the LPSE's e-mail change "
                "procedure: submit the signed statement on the company's e-mail change page."
            ),
            field="email",
        )
    new_email = new_email.strip().lower()
    try:
        validate_email(new_email)
    except ValidationError:
        raise DomainError(
            _("“%(email)s” is not a valid e-mail address.") % {"email": new_email}, field="email"
        ) from None
    old = actor.email
    with transaction.atomic():
        actor.email = new_email
        actor.save(update_fields=["email"])
        audit.record(
            actor=actor, action="user.email_change", obj=actor, data={"old": old, "new": new_email}
        )
        for address in {old, new_email}:
            send_mail_on_commit(
                to=[address],
                subject=_("Your LPSE e-mail address was changed"),
                body=_(
                    "The e-mail address of account %(user)s changed from %(old)s "
                    "to %(new)s. If you did not do this, contact the LPSE "
                    "helpdesk at once."
                )
                % {"user": actor.username, "old": old, "new": new_email},
            )
    return actor


def login_window_set(
    *, actor, weekdays: str, start: time, end: time, role: str = "", user: User | None = None
) -> LoginWindow:
    require_capability(actor, Cap.MANAGE_LOGIN_HOURS)
    if bool(role) == bool(user):
        raise DomainError(_("A login window is for either a role or one user."))
    if role and role not in Role.values:
        raise DomainError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    if not weekdays or any(d not in "1234567" for d in weekdays):
        raise DomainError(
            _("Choose the days as numbers 1 (Monday) to 7 (Sunday)."), field="weekdays"
        )
    if start >= end:
        raise DomainError(_("The window must start before it ends."), field="end")
    days = "".join(sorted(set(weekdays)))
    with transaction.atomic():
        window = LoginWindow.objects.create(
            role=role, user=user, weekdays=days, start=start, end=end
        )
        audit.record(
            actor=actor,
            action="login_window.create",
            obj=window,
            data={
                "role": role,
                "user": user.username if user else None,
                "days": days,
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
    return window


def login_window_delete(*, actor, window: LoginWindow) -> None:
    require_capability(actor, Cap.MANAGE_LOGIN_HOURS)
    with transaction.atomic():
        audit.record(
            actor=actor, action="login_window.delete", obj=window, data={"was": str(window)}
        )
        window.delete()


def user_bootstrap(
    *,
    username: str,
    email: str,
    roles: set[str],
    password: str,
    first_name: str = "",
    agency: Agency | None = None,
) -> User:
    """Create an account with a known password, outside the normal flows: the first application
    administrator (``lpse create_admin``) and the demo accounts. Recorded as done by the system."""
    username = normalize_user_id(username, field="username")
    with transaction.atomic():
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": email, "first_name": first_name, "agency": agency}
        )
        user.set_password(password)
        user.is_active = True
        user.save()
        for role in roles:
            RoleGrant.objects.get_or_create(user=user, role=role)
        audit.record(
            actor=None,
            action="user.bootstrap",
            obj=user,
            data={"username": username, "roles": sorted(roles), "created": created},
        )
    return user


def provider_account_register(
    *, user_id: str, email: str, first_name: str, account: User | None = None
) -> User:
    """The account of a registering company (R-1.3), under the User ID it chose (already
    normalised): a new one, inactive and without a password until the verifier approves, or
    ``account`` — that of the company's lapsed earlier registration — renamed. Call inside the
    registration's transaction; its ``registration.submit``/``restart`` audit event records the
    User ID, so none is written here (the audit chain stays as it was before this moved)."""
    taken = User.objects.filter(username=user_id)
    if account is not None:
        taken = taken.exclude(pk=account.pk)
    if taken.exists():
        raise _user_id_taken(user_id)
    if account is not None:
        user = account
        user.username = user_id
    else:
        user = User(username=user_id, email=email, is_active=False)
        user.set_unusable_password()
    user.first_name = first_name.strip()[:150]
    try:
        user.save()
    except IntegrityError:
        # Two registrations choosing the same User ID at once: the unique index decides.
        raise _user_id_taken(user_id) from None
    RoleGrant.objects.get_or_create(user=user, role=Role.PROVIDER)
    return user


def _user_id_taken(user_id: str) -> DomainError:
    return DomainError(
        _("The User ID “%(user_id)s” is already taken: choose another.") % {"user_id": user_id},
        field="user_id",
    )


# --- staff second factor (TOTP) ------------------------------------------------------------------


def totp_device_pending(*, actor: User) -> TOTPDevice:
    """The authenticator a staff member is enrolling: the unconfirmed one they started, or a new
    one. Not audited: an unconfirmed device signs nobody in; its confirmation is the event."""
    return TOTPDevice.objects.filter(
        user=actor, confirmed=False
    ).first() or TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


def totp_device_confirm(
    *, actor: User, device: TOTPDevice, keep_session: str | None = None
) -> TOTPDevice:
    """The staff member typed a right code from the device they are enrolling (the view has
    verified it): from now on that device is their second factor. Audited, because a second
    factor added to an account is what an attacker holding a password would want to do.
    Compare-and-set: two tabs confirming the same device record one event. The account's other
    sessions end (all but ``keep_session``, the ref of the one enrolling): a session opened
    with the password alone before the second factor existed does not outlive it (ASVS V7.4.3)."""
    if device.user_id != actor.pk:
        # Never a person's mistake (the page offers only one's own device): a caller's bug.
        raise PermissionDenied("a TOTP device is confirmed only by its own account")
    with transaction.atomic():
        if TOTPDevice.objects.filter(pk=device.pk, confirmed=False).update(confirmed=True):
            audit.record(
                actor=actor,
                action="totp_device.confirm",
                obj=device,
                data={"user": actor.username, "device": device.name},
            )
            session_records.sessions_end_others(
                actor=actor, keep_ref=keep_session, why="totp_device.confirm"
            )
    device.confirmed = True
    return device
