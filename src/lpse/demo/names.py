"""The demo accounts' user names and passwords (published on the demo home page)."""

from __future__ import annotations

from lpse.accounts.selectors import DEMO_PASSWORD_SUFFIX, demo_password

__all__ = ["DEMO_PASSWORD_SUFFIX", "demo_password", "demo_username"]


def demo_username(role: str) -> str:
    return f"demo.{role.replace('_', '-')}"
