"""Sign-in and sign-out: the session's start time and record, and the security log (issue 21,
ASVS V16.3.1: every authentication event, failed or not, with who and from where)."""

from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from lpse.accounts import session_records
from lpse.accounts.middleware import LOGIN_AT
from lpse.core import security_log
from lpse.core.client_address import client_address


def _address(request) -> str:
    return client_address(request) if request is not None else ""


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs):
    request.session[LOGIN_AT] = time.time()
    session_records.session_opened(request, user)
    security_log.record("sign_in.succeeded", username=user.username, address=_address(request))


@receiver(user_logged_out)
def forget_session(sender, request, user, **kwargs):
    session_records.session_closed(request)
    if user is not None:
        security_log.record("sign_out", username=user.username, address=_address(request))


@receiver(user_login_failed)
def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # django-axes keeps its own failure log for the lock-out; this line puts the failure in the
    # same log as the successes, so one file tells the whole story of an account's sign-ins.
    # ``credentials`` is already cleansed of the password by Django.
    security_log.record(
        "sign_in.failed",
        username=str(credentials.get("username", ""))[:150],
        address=_address(request),
    )
