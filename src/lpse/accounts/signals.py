from __future__ import annotations

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from lpse.accounts.middleware import LOGIN_AT


@receiver(user_logged_in)
def remember_login_time(sender, request, user, **kwargs):
    request.session[LOGIN_AT] = time.time()
