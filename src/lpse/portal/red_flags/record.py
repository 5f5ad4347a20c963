"""What the indicators read from one contracting process: its compiled OCDS release (and its
releases, for what the compiled release forgets — the deadline in force when an amendment was
made). Plain dicts as published: the indicators see exactly what the public sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Bid:
    id: str
    tenderers: tuple[str, ...]
    status: str  # bidStatus: pending, valid, disqualified, …
    amount: float | None


@dataclass(frozen=True)
class Award:
    id: str
    supplier: str
    supplier_name: str
    amount: float | None
    date: datetime | None
    related_bids: tuple[str, ...]


@dataclass
class Record:
    ocid: str
    compiled: dict[str, Any]
    releases: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tender(self) -> dict[str, Any]:
        return self.compiled.get("tender") or {}

    @property
    def title(self) -> str:
        return self.tender.get("title", "")

    @property
    def code(self) -> str:
        return self.tender.get("id", "")

    @property
    def buyer(self) -> dict[str, str]:
        return self.compiled.get("buyer") or {}

    @property
    def owner_estimate(self) -> float | None:
        return _amount(self.tender.get("value"))

    @property
    def opened(self) -> bool:
        """Bids are published only after the opening (R-9.5): their section means opened."""
        return "bids" in self.compiled

    def bids(self) -> list[Bid]:
        details = (self.compiled.get("bids") or {}).get("details") or []
        return [
            Bid(
                id=d.get("id", ""),
                tenderers=tuple(t.get("id", "") for t in d.get("tenderers") or []),
                status=d.get("status", ""),
                amount=_amount(d.get("value")),
            )
            for d in details
        ]

    def award(self) -> Award | None:
        """The award in force: announced (pending until the award letter) or active; a set-aside
        (cancelled) award is not the outcome."""
        current = [
            a for a in self.compiled.get("awards") or [] if a.get("status") in ("pending", "active")
        ]
        if not current:
            return None
        award = current[-1]
        supplier = (award.get("suppliers") or [{}])[0]
        return Award(
            id=award.get("id", ""),
            supplier=supplier.get("id", ""),
            supplier_name=supplier.get("name", ""),
            amount=_amount(award.get("value")),
            date=parse(award.get("date")),
            related_bids=tuple(award.get("relatedBids") or []),
        )

    def tender_releases(self) -> list[dict[str, Any]]:
        """The releases that carry the tender section, oldest first."""
        rows = [r for r in self.releases if "tenderPeriod" in (r.get("tender") or {})]
        return sorted(rows, key=lambda r: r.get("date") or "")


def _amount(value: dict[str, Any] | None) -> float | None:
    if not value or value.get("amount") is None:
        return None
    return float(value["amount"])


def parse(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
