"""The one exception a service raises when a rule says no."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the regulation or of the system refused an action.

    The message is for the person who tried: it says what happened and what to do, and is a
    (lazily) translated string so it shows in the user's language. ``field`` names the form
    field it belongs to, when there is one, so forms can show it in place and keep the rest.
    """

    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return str(self.message)
