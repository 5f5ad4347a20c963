"""Django's message storage with the cookie named by ``MESSAGES_COOKIE_NAME`` (issue 21).

Django's cookie storage has a fixed name, ``messages``; with ``LPSE_HTTPS`` the site's cookies
carry the ``__Host-`` prefix (settings.py, ASVS V3.3.3), this one too. The attributes stay
Django's: the session cookie's Secure and SameSite, path /, no Domain.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.messages.storage.session import SessionStorage


class NamedCookieStorage(CookieStorage):
    @property
    def cookie_name(self) -> str:  # type: ignore[override]
        return settings.MESSAGES_COOKIE_NAME


class MessageStorage(FallbackStorage):
    """Cookie first, the session for what does not fit, as Django's default."""

    storage_classes = (NamedCookieStorage, SessionStorage)
