"""The daily copy-out of the transparency log's head (R-9.8): signed, kept, and e-mailed to the
LKPP monitor and the auditors, so that copies exist where the server cannot take them back."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse

from lpse.accounts.roles import Role
from lpse.accounts.selectors import users_with_role
from lpse.core import browser_code
from lpse.core.tasks import send_mail_on_commit
from lpse.core.transparency import tree_head_sign


def tree_head_publish() -> dict:
    """Sign today's head and send it to every active LKPP monitor and auditor account."""
    browser_code.record_if_changed()  # a changed key-handling script enters today's head
    head = tree_head_sign()
    recipients = sorted(
        {u.email for u in users_with_role(Role.LKPP_MONITOR, Role.AUDITOR) if u.email}
    )
    if recipients:
        page = settings.LPSE_BASE_URL + reverse("portal:transparency")
        send_mail_on_commit(
            to=recipients,
            subject=f"{settings.LPSE_SITE_NAME}: transparency log head, {head['tree_size']} events",
            body=(
                "Keep this signed head. If the log is ever cut or rewritten, it will no longer "
                "extend this head, and `tools/verify_log.py` (or `lpse audit verify --against`) "
                f"will say so. Heads and proofs: {page}\n\n"
                + json.dumps(head, indent=2, ensure_ascii=False)
            ),
        )
    return head
