"""``lpse apendo open-share``: a committee member opens their share offline (R-9.9).

The browser is the everyday way; this is for a member who does not want to trust the script the
server sends at the opening. They copy their sealed share from the opening page, open it here
with their own age key (or their passphrase-sealed key, the file the browser made), and paste the
printed share back into the opening page: the only thing that leaves their computer.

    lpse apendo open-share SEALED_SHARE_FILE --identity my-key.txt
    lpse apendo open-share SEALED_SHARE_FILE --sealed-key my-key.age   (asks the passphrase)
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import CommandError

from lpse.bids import keys, opening_keys


def add_parsers(sub) -> None:
    share = sub.add_parser("open-share", help="open your sealed share of a tender key offline")
    share.add_argument("file", type=Path, help="the sealed share, as copied from the opening page")
    who = share.add_mutually_exclusive_group(required=True)
    who.add_argument("--identity", type=Path, help="your own age key (AGE-SECRET-KEY-1…)")
    who.add_argument("--sealed-key", type=Path, help="your passphrase-sealed opening key")


def open_share(command, *, file: Path, identity: Path | None, sealed_key: Path | None, **_):
    try:
        sealed = file.read_text().strip()
        if identity is not None:
            secret = identity.read_text()
        else:
            assert sealed_key is not None
            passphrase = getpass.getpass("Opening passphrase: ")
            secret = opening_keys.open_identity(sealed_key.read_text(), passphrase)
        found = [w for w in secret.split() if w.startswith("AGE-SECRET-KEY-1")]
        if not found:
            raise CommandError("no AGE-SECRET-KEY-1… in the key file")
        text = keys.opened_share_text(sealed, found[0])
        share = keys.parse_share(text)
    except OSError as exc:
        raise CommandError(f"cannot read: {exc}") from None
    except (keys.TenderKeyError, opening_keys.OpeningKeyError) as exc:
        raise CommandError(str(exc)) from None
    command.stderr.write(
        f"share {share.index} of tender {share.tender_code} ({share.threshold} needed); paste "
        "the line below into the opening page:"
    )
    command.stdout.write(text)
