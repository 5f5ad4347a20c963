from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from lpse.catalog.selectors import PriceIndexTable
from lpse.core import hooks
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError
from lpse.providers import key_material
from lpse.providers.models import (
    Company,
    EmailChangeRequest,
    Experience,
    SigningKey,
    VerificationItem,
)

if TYPE_CHECKING:  # annotations only: the catalogue is read through its selectors
    from lpse.catalog.models import BusinessSubField, PriceIndex


# --- object scope: a provider acts only for its own company ----------------------------------


def company_of(actor) -> Company:
    """The company the signed-in provider acts for; refused (``forbidden``) for anyone without
    a company, so a service that starts here is scoped to the actor's own data."""
    require_capability(actor, Cap.OWN_COMPANY)
    company = Company.objects.filter(user=actor).first()
    if company is None:
        raise DomainError(_("Your account has no company."), code="forbidden")
    return company


def verified_companies_in(sub_field) -> QuerySet[Company]:
    """The verified providers registered for ``sub_field``: whom a procurement officer may
    invite (R-8.6)."""
    return Company.objects.filter(state=Company.State.VERIFIED, sub_fields=sub_field).order_by(
        "name"
    )


def require_own(actor, company_id: int) -> Company:
    """The actor's company, refused (``forbidden``) when ``company_id`` is another's."""
    company = company_of(actor)
    if company.pk != company_id:
        raise DomainError(_("This belongs to another company."), code="forbidden")
    return company


def registration_queue(*, query: str = "", state: str = "") -> QuerySet[Company]:
    """The verifier's queue: waiting registrations first, nearest deadline first; searchable by
    company name, NPWP, User ID or e-mail."""
    companies = Company.objects.select_related("user")
    if state:
        companies = companies.filter(state=state)
    query = query.strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        match = (
            Q(name__icontains=query)
            | Q(user__username__icontains=query.lower())
            | Q(email__icontains=query.lower())
        )
        if len(digits) >= 4:
            match |= Q(npwp__contains=digits)
        companies = companies.filter(match)
    return companies.order_by("verify_by")


def published_checklist() -> QuerySet[VerificationItem]:
    return VerificationItem.objects.filter(active=True)


# --- e-mail change (R-3.2) ------------------------------------------------------------------


# Who handles e-mail changes LPSE-wide: the verifier checks, the administrator decides.
# Anyone else who may see the history (an agency administrator) sees a part of it only.
EMAIL_CHANGE_DESK = frozenset({Cap.VERIFY_PROVIDERS, Cap.APPLY_EMAIL_CHANGES})


def handles_email_changes(user) -> bool:
    """The verifier and the administrator: every request, and its signed statement."""
    return bool(EMAIL_CHANGE_DESK & user.capabilities())


def email_changes_visible_to(user) -> QuerySet[EmailChangeRequest]:
    """The requests ``user`` may see. An agency administrator sees those of the companies taking
    part in the agency's tenders — the addresses the agency's procurement writes to — and no
    other company's (issue 21: object-level scope by agency)."""
    changes = EmailChangeRequest.objects.select_related(
        "company", "company__user", "statement", "submitted_by", "checked_by", "decided_by"
    )
    if handles_email_changes(user):
        return changes
    if user.agency_id is None:
        return changes.none()
    scope = Q(pk__in=[])
    for company_ids in hooks.agency_companies.call(user.agency):
        scope |= Q(company_id__in=company_ids)
    return changes.filter(scope)


def email_changes(user, *, state: str = "", query: str = "") -> QuerySet[EmailChangeRequest]:
    """The history the verifier, the administrator and the agency admins see (each their part):
    newest first, searchable by company, User ID or either address."""
    changes = email_changes_visible_to(user)
    if state:
        changes = changes.filter(state=state)
    query = query.strip()
    if query:
        changes = changes.filter(
            Q(company__name__icontains=query)
            | Q(company__user__username__icontains=query.lower())
            | Q(old_email__icontains=query.lower())
            | Q(new_email__icontains=query.lower())
        )
    return changes.order_by("-submitted_at", "-id")


def email_changes_of(company: Company) -> QuerySet[EmailChangeRequest]:
    return company.email_changes.select_related("statement", "checked_by", "decided_by")


# --- signing keys (R-9.7) -------------------------------------------------------------------


def bound_signing_key(company) -> SigningKey | None:
    """The key the company's bids must be signed with now, or None when none is bound."""
    return SigningKey.objects.filter(company=company, state=SigningKey.State.BOUND).first()


def signing_key_bound_at(company, moment) -> SigningKey | None:
    """The key that was bound to the company at ``moment`` (a bid's arrival), even if a newer
    key has replaced it since."""
    return (
        SigningKey.objects.filter(company=company, bound_at__lte=moment)
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=moment))
        .order_by("-bound_at")
        .first()
    )


def signing_keys_of(company) -> QuerySet[SigningKey]:
    """Every key the company proposed, newest first, with who checked and bound it."""
    return SigningKey.objects.filter(company=company).select_related(
        "proposed_by", "checked_by", "bound_by", "decided_by"
    )


def signing_key_queue(*, state: str = "", query: str = "") -> QuerySet[SigningKey]:
    """The verifiers' desk: keys waiting first (oldest first), searchable by company, User ID,
    NPWP or fingerprint."""
    keys = SigningKey.objects.select_related(
        "company", "company__user", "proposed_by", "checked_by", "bound_by", "decided_by"
    )
    if state:
        keys = keys.filter(state=state)
    query = query.strip()
    if query:
        match = Q(company__name__icontains=query) | Q(
            company__user__username__icontains=query.lower()
        )
        typed = key_material.normalized_fingerprint(query)
        if len(typed) >= 4 and all(ch in "0123456789abcdef" for ch in typed):
            match |= Q(fingerprint__startswith=typed)
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) >= 4:
            match |= Q(company__npwp__contains=digits)
        keys = keys.filter(match)
    return keys.order_by("proposed_at", "id")


def signing_key_fingerprint(public_key: str) -> str:
    """The fingerprint (hex) of a public key given as base64, for callers outside the app (the
    offline CLI); KeyMaterialError (a ValueError) when it is not an Ed25519 key."""
    return key_material.fingerprint(key_material.public_key_bytes(public_key))


grouped_fingerprint = key_material.grouped


# --- experience and basic capability, *kemampuan dasar* (issue 5, R-5.6) ----------------------

EXPERIENCE_YEARS = 15  # experience older than this does not count
KD_FACTOR = 3  # KD = 3 × NPt
SEN = Decimal("0.01")


def experiences_of(company: Company) -> QuerySet[Experience]:
    """The company's experience that counts (not withdrawn), newest first."""
    return Experience.objects.filter(company=company, withdrawn_at__isnull=True).select_related(
        "sub_field", "proof"
    )


@dataclass(frozen=True)
class BasicCapability:
    """A company's basic capability on a date: KD = 3 × NPt, where NPt is its highest
    experience value, brought to the prices of that date with the price index."""

    value: Decimal  # KD
    adjusted_value: Decimal  # NPt: the best experience's value at the prices of ``at``
    experience: Experience | None  # the best experience, None when none counts
    completion_index: PriceIndex | None  # the index used for its completion month
    current_index: PriceIndex | None  # the index used for the month of ``at``
    adjusted: bool  # False when an index was missing and the value was used as it was
    considered: int  # how many experiences were compared
    at: date
    since: date
    sub_field: BusinessSubField | None
    explanation: str


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _adjust(value: Decimal, then: PriceIndex | None, now: PriceIndex | None) -> Decimal | None:
    """value × index now / index then, to the sen; None when either index is missing."""
    if then is None or now is None:
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return (value * now.value / then.value).quantize(SEN, rounding=ROUND_HALF_UP)


def _rupiah(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return "Rp " + number_format(value, decimal_pos=places, force_grouping=True)


def _month(day: date) -> str:
    return date_format(day, "F Y")


def basic_capability(
    company: Company,
    *,
    sub_field: BusinessSubField | None = None,
    at: date,
    recorded_by: datetime | None = None,
) -> BasicCapability:
    """*Kemampuan dasar* of ``company`` on ``at``: KD = 3 × NPt, NPt = the highest value among
    the experiences completed in the last 15 years up to ``at`` (in ``sub_field`` when given),
    each adjusted to the prices of ``at``'s month as value × index(at) / index(completion), using
    the latest index at or before each month. Where an index is missing the value is used
    unadjusted, and the explanation says so. ``recorded_by``: only experience recorded by then
    counts (a tender's evaluation takes what the bidder had declared when it bid)."""
    since = _years_before(at, EXPERIENCE_YEARS)
    experiences = experiences_of(company).filter(completed_on__gte=since, completed_on__lte=at)
    if recorded_by is not None:
        experiences = experiences.filter(recorded_at__lte=recorded_by)
    if sub_field is not None:
        experiences = experiences.filter(sub_field=sub_field)
    table = PriceIndexTable()
    current = table.at_or_before(at)
    best = None  # (adjusted value, experience, completion index, adjusted?)
    considered = 0
    for experience in experiences.order_by("-completed_on", "-id"):
        considered += 1
        then = table.at_or_before(experience.completed_on)
        adjusted = _adjust(experience.contract_value, then, current)
        candidate = (
            adjusted if adjusted is not None else experience.contract_value,
            experience,
            then,
            adjusted is not None,
        )
        if best is None or candidate[0] > best[0]:
            best = candidate
    scope = {
        "years": EXPERIENCE_YEARS,
        "since": date_format(since, "j F Y"),
        "at": date_format(at, "j F Y"),
        "sub_field": str(sub_field) if sub_field is not None else "",
    }
    if best is None:
        text = (
            _(
                "No experience counts: the company has recorded no contract in sub-field "
                "%(sub_field)s completed between %(since)s and %(at)s (the last %(years)d "
                "years). Basic capability KD = 0."
            )
            if sub_field is not None
            else _(
                "No experience counts: the company has recorded no contract completed between "
                "%(since)s and %(at)s (the last %(years)d years). Basic capability KD = 0."
            )
        ) % scope
        return BasicCapability(
            value=Decimal(0),
            adjusted_value=Decimal(0),
            experience=None,
            completion_index=None,
            current_index=current,
            adjusted=False,
            considered=0,
            at=at,
            since=since,
            sub_field=sub_field,
            explanation=text,
        )
    npt, experience, then, was_adjusted = best
    kd = KD_FACTOR * npt
    lines = [
        (
            _(
                "%(count)d experience(s) in sub-field %(sub_field)s completed between %(since)s "
                "and %(at)s (the last %(years)d years) were compared at the prices of %(month)s."
            )
            if sub_field is not None
            else _(
                "%(count)d experience(s) completed between %(since)s and %(at)s (the last "
                "%(years)d years) were compared at the prices of %(month)s."
            )
        )
        % {**scope, "count": considered, "month": _month(at)},
        _(
            "The highest is “%(contract)s” for %(client)s (%(sub_field)s), completed on "
            "%(completed)s, contract value %(value)s."
        )
        % {
            "contract": experience.contract_name,
            "client": experience.client,
            "sub_field": experience.sub_field,
            "completed": date_format(experience.completed_on, "j F Y"),
            "value": _rupiah(experience.contract_value),
        },
    ]
    if was_adjusted:
        assert current is not None and then is not None  # adjusted means both indices exist
        lines.append(
            _(
                "Adjusted with the price index: %(value)s × %(now)s (%(now_month)s) ÷ %(then)s "
                "(%(then_month)s) = NPt %(npt)s."
            )
            % {
                "value": _rupiah(experience.contract_value),
                "now": current.value_display,
                "now_month": _month(current.period),
                "then": then.value_display,
                "then_month": _month(then.period),
                "npt": _rupiah(npt),
            }
        )
    else:
        lines.append(
            _(
                "No price index is recorded for %(month)s or any month before it, so the "
                "contract value is used without adjustment: NPt = %(npt)s."
            )
            % {
                "month": _month(at if current is None else experience.completed_on),
                "npt": _rupiah(npt),
            }
        )
    lines.append(
        _("Basic capability KD = %(factor)d × NPt = %(factor)d × %(npt)s = %(kd)s.")
        % {"factor": KD_FACTOR, "npt": _rupiah(npt), "kd": _rupiah(kd)}
    )
    return BasicCapability(
        value=kd,
        adjusted_value=npt,
        experience=experience,
        completion_index=then,
        current_index=current,
        adjusted=was_adjusted,
        considered=considered,
        at=at,
        since=since,
        sub_field=sub_field,
        explanation=" ".join(str(line) for line in lines),
    )
