"""Writes of the master data the application administrator keeps (R-5.6): business fields,
sub-fields and goods categories. Create, rename, retire, reinstate; never delete (packages and
companies keep naming a retired row). Every change is audited with what it was before."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lpse.catalog.models import (
    MASTER_DATA_KINDS,
    BusinessField,
    BusinessSubField,
    MasterData,
    Origin,
)
from lpse.core import audit
from lpse.core.capabilities import Cap, require_capability
from lpse.core.errors import DomainError

# Upper-case letters and digits, dots and hyphens inside: "F", "41", "41011", "K01", "BG001".
CODE_FORMAT = re.compile(r"^[A-Z0-9](?:[A-Z0-9.\-]{0,18}[A-Z0-9])?$")
CATEGORY_CODE_FORMAT = re.compile(r"^[a-z][a-z_]{1,19}$")

KINDS = MASTER_DATA_KINDS


def check_code(kind: str, code: str) -> str:
    code = (code or "").strip()
    pattern = CATEGORY_CODE_FORMAT if kind == "categories" else CODE_FORMAT
    if not pattern.match(code):
        example = "other_services" if kind == "categories" else "41011"
        raise DomainError(
            _(
                "“%(code)s” is not a valid code: use capital letters and digits (for example"
                " %(example)s), at most 20 characters."
            )
            % {"code": code, "example": example},
            field="code",
        )
    return code


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the name."), field="name")
    if len(name) > 200:
        raise DomainError(_("Shorten the name to at most 200 characters."), field="name")
    return name


def live_field(code: str) -> BusinessField:
    field = BusinessField.objects.filter(code=code).first()
    if field is None:
        raise DomainError(
            _("There is no business field “%(code)s”: create it first or pick another.")
            % {"code": code},
            field="field",
        )
    if field.is_retired:
        raise DomainError(
            _("The business field “%(field)s” is retired: reinstate it or pick another.")
            % {"field": field},
            field="field",
        )
    return field


def master_data_create(
    *, actor, kind: str, code: str, name: str, field_code: str = "", origin: str = Origin.ADMIN
) -> MasterData:
    """A new business field, sub-field (under ``field_code``) or goods category."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    model = KINDS[kind]
    code, name = check_code(kind, code), check_name(name)
    values: dict = {"code": code, "name": name, "origin": origin}
    if kind == "sub_fields":
        values["field"] = live_field(field_code.strip())
    with transaction.atomic():
        if model.objects.select_for_update().filter(code=code).exists():
            raise DomainError(
                _("The code %(code)s is taken: rename or reinstate that one instead.")
                % {"code": code},
                field="code",
            )
        row = model.objects.create(**values)
        audit.record(
            actor=actor,
            action=f"catalog.{kind}.create",
            obj=row,
            data={"code": code, "name": name, "field": field_code or None, "origin": origin},
        )
    return row


def _locked(model: type[MasterData], pk: int) -> MasterData:
    row = model.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        raise DomainError(_("That entry no longer exists; reload the page."))
    return row


def master_data_rename(*, actor, kind: str, pk: int, name: str) -> MasterData:
    """A new name; the code stays (it is what packages and companies point at)."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    name = check_name(name)
    with transaction.atomic():
        row = _locked(KINDS[kind], pk)
        before = row.name
        if before == name:
            return row
        row.name = name
        # Renamed by hand: a later reference file no longer overwrites the administrator's name.
        row.origin = Origin.ADMIN if row.origin == Origin.REFERENCE else row.origin
        row.save(update_fields=["name", "origin"])
        audit.record(
            actor=actor,
            action=f"catalog.{kind}.rename",
            obj=row,
            data={"code": row.code, "before": before, "after": name},
        )
    return row


def master_data_retire(*, actor, kind: str, pk: int, retire: bool = True) -> MasterData:
    """Retire (no longer offered for new choices) or reinstate. Nothing is deleted."""
    require_capability(actor, Cap.MANAGE_MASTER_DATA)
    with transaction.atomic():
        row = _locked(KINDS[kind], pk)
        if row.is_retired == retire:
            state = _("retired") if retire else _("in use")
            raise DomainError(_("%(entry)s is already %(state)s.") % {"entry": row, "state": state})
        if not retire and isinstance(row, BusinessSubField) and row.field.is_retired:
            raise DomainError(
                _("Reinstate its business field “%(field)s” first.") % {"field": row.field}
            )
        row.retired_at = timezone.now() if retire else None
        row.save(update_fields=["retired_at"])
        audit.record(
            actor=actor,
            action=f"catalog.{kind}.{'retire' if retire else 'reinstate'}",
            obj=row,
            data={"code": row.code, "name": row.name},
        )
    return row
