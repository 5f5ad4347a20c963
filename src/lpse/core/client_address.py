"""The client's address (R-4.4), one rule for every per-address check: the sign-in lock-out
(django-axes, through AXES_CLIENT_IP_CALLABLE), the bursts of refusals, the /metrics allow-list.

Behind ``LPSE_PROXY_COUNT`` trusted reverse proxies, each proxy appends the address it saw to
X-Forwarded-For; the client is the address the outermost trusted proxy saw, the
``LPSE_PROXY_COUNT``-th from the right. Whatever stands left of it was written by the client and
is not believed: a forged header cannot make each attempt look like someone else. With no proxy
configured the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.LPSE_PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote  # not through all the trusted proxies: the nearest peer is all we know
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
