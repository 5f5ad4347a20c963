"""The red flags' thresholds (R-9.10): documented defaults (docs/red-flags.md), overridden by the
operator through ``LPSE_RED_FLAG_THRESHOLDS`` ("name=value" pairs), and those by the application
admin on the staff page (``RedFlagThreshold``, audited). A misspelt name or a value that is not
a number is refused with a message naming it, never silently ignored."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Thresholds:
    # LPSE-R003: a bid submission period of fewer working days than this is short. Stricter
    # than the tenders app's enforced minimum (3 working days by default), which a schedule
    # can never go below; Cardinal's default is 15 calendar days.
    short_period_working_days: int = 5
    # LPSE-ICW-HPS: the award is at least this share of the owner estimate (HPS). ICW scores a
    # difference under 1 % as highest risk and 1-2 % as next: 0.98 takes both bands.
    hps_ratio: float = 0.98
    # LPSE-R024: the second-lowest bid is at most this much above the winning bid (a share of
    # it). Cardinal derives its fence from all processes; its documented example is 2 %.
    close_second_bid: float = 0.02
    # LPSE-R035: at least this many other tenderers were disqualified (Cardinal's default 1).
    all_but_winner_min_disqualified: int = 1
    # LPSE-R038: at least this share of a tender's bids disqualified (Cardinal's example 0.5) ...
    disqualified_share: float = 0.5
    # ... among at least this many bids (one bid disqualified of one is not "excessive").
    disqualified_min_bids: int = 2
    # LPSE-LATE-CHANGE: a schedule change or addendum at most this many days before the bid
    # deadline in force when it was made.
    late_change_days: int = 3
    # LPSE-ICW-REPEAT: one supplier won at least this many of one buyer's awards ...
    repeat_min_awards: int = 3
    # ... and at least this share of them ...
    repeat_share: float = 0.5
    # ... among the awards announced in this many days before the buyer's latest award.
    repeat_window_days: int = 365


DEFAULTS = Thresholds()


def _parse(name: str, kind: type, raw: str):
    try:
        value = kind(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"LPSE_RED_FLAG_THRESHOLDS: {name}={raw!r} is not "
            + ("a whole number." if kind is int else "a number.")
        ) from None
    if value < 0 or (kind is float and name.endswith(("ratio", "share")) and value > 1):
        raise ImproperlyConfigured(
            f"LPSE_RED_FLAG_THRESHOLDS: {name}={raw!r} is out of range"
            + (" (a share, 0 to 1)." if kind is float and value > 1 else " (not negative).")
        )
    return value


def from_mapping(overrides: dict[str, str]) -> Thresholds:
    kinds = {f.name: type(getattr(DEFAULTS, f.name)) for f in fields(Thresholds)}
    unknown = sorted(set(overrides) - set(kinds))
    if unknown:
        raise ImproperlyConfigured(
            f"LPSE_RED_FLAG_THRESHOLDS: unknown name(s) {', '.join(unknown)}; "
            f"known: {', '.join(kinds)} (docs/red-flags.md)."
        )
    return replace(
        DEFAULTS, **{name: _parse(name, kinds[name], str(raw)) for name, raw in overrides.items()}
    )


def configured() -> dict[str, str]:
    return dict(getattr(settings, "LPSE_RED_FLAG_THRESHOLDS", {}) or {})


def on_page() -> dict[str, str]:
    from lpse.portal.models import RedFlagThreshold

    return dict(RedFlagThreshold.objects.values_list("name", "value"))


def current() -> Thresholds:
    return from_mapping({**configured(), **on_page()})


def names() -> list[str]:
    return [f.name for f in fields(Thresholds)]
