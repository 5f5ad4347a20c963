"""The e-mail to a person whose upload is held because the virus scanner did not answer (R-4.4).
Apart from ``quarantine`` (which rescans held files through ``core.storage``) so that storage,
which sends it, does not import the module that imports storage."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from lpse.core.calendar import wita_text
from lpse.core.models import Blob
from lpse.core.tasks import send_mail_on_commit


def mail_held(uploader, blob: Blob, filename: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        send_mail_on_commit(
            to=[uploader.email],
            subject=_("Your file is held until the virus scanner has checked it"),
            body=_(
                "Your file “%(name)s” arrived at %(when)s and was kept with that time. The "
                "virus scanner could not check it just now, so nobody can open it yet; it is "
                "checked again automatically and you will receive another e-mail with the result."
            )
            % {"name": filename or blob.sha256[:12], "when": wita_text(blob.created_at)},
        )
