"""A reading: what a sampler hands to ``services.samples.record_samples``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    metric: str
    value: float
    labels: str = ""  # the instance: "mount=/", "iface=eth0", "group=tenders", "target=…"
