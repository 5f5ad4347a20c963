"""Login-hour windows (R-5.7): may this account be signed in at this moment?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lpse.accounts.models import LoginWindow
from lpse.core.calendar import to_wita

DAY_NAMES = {
    "1": gettext_lazy("Monday"),
    "2": gettext_lazy("Tuesday"),
    "3": gettext_lazy("Wednesday"),
    "4": gettext_lazy("Thursday"),
    "5": gettext_lazy("Friday"),
    "6": gettext_lazy("Saturday"),
    "7": gettext_lazy("Sunday"),
}


@dataclass(frozen=True)
class LoginDecision:
    allowed: bool
    windows: tuple[LoginWindow, ...] = ()

    def refusal_message(self) -> str:
        hours = "; ".join(
            f"{', '.join(str(DAY_NAMES[d]) for d in w.weekdays)} {w.start:%H:%M}–{w.end:%H:%M}"
            for w in self.windows
        )
        return _(
            "Your account may only sign in during its allowed hours (WITA): %(hours)s. "
            "Please try again then, or ask the LPSE administrator if you need other hours."
        ) % {"hours": hours}


def applicable_windows(user) -> tuple[LoginWindow, ...]:
    own = tuple(LoginWindow.objects.filter(user=user))
    if own:
        return own
    roles = user.role_codes()
    role_windows = list(LoginWindow.objects.filter(role__in=roles, user__isnull=True))
    # A role without any window is unrestricted, and a person holding it is too.
    restricted_roles = {w.role for w in role_windows}
    if not roles or roles - restricted_roles:
        return ()
    return tuple(role_windows)


def login_decision(user, at: datetime | None = None) -> LoginDecision:
    windows = applicable_windows(user)
    if not windows:
        return LoginDecision(True)
    moment = to_wita(at or timezone.now())
    weekday = str(moment.isoweekday())
    now = moment.time()
    inside = any(weekday in w.weekdays and w.start <= now < w.end for w in windows)
    return LoginDecision(inside, windows)
