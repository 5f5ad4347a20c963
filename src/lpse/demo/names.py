"""The demo accounts' user names and passwords (published on the demo home page)."""

from __future__ import annotations

DEMO_PASSWORD_SUFFIX = "-Demo2026!"


def demo_username(role: str) -> str:
    return f"demo.{role.replace('_', '-')}"


def demo_password(role: str) -> str:
    return f"{role.replace('_', '-')}{DEMO_PASSWORD_SUFFIX}"
