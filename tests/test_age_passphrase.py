"""Sealed opening keys made offline (demo loader, tests) at a fixed work factor (R-9.9).

pyrage chooses the scrypt work factor by timing the machine, so on a loaded machine the demo's
sealed keys came out below the 2^15 the server accepts and the demo failed to load (seen in CI
at load average 16). ``age_passphrase`` seals at the factor asked; pyrage opens what it makes.
"""

from __future__ import annotations

import os

import pyrage
import pytest

from lpse.bids import age_passphrase, opening_keys


@pytest.mark.parametrize("size", [0, 1, 64 * 1024, 64 * 1024 + 1, 200_000])
def test_R_9_9_what_age_passphrase_seals_pyrage_opens_and_only_with_the_passphrase(size):
    data = os.urandom(size)
    sealed = age_passphrase.encrypt(data, "kuda-laut-merah-17")
    assert pyrage.passphrase.decrypt(sealed, "kuda-laut-merah-17") == data
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(sealed, "kuda-laut-merah-18")


def test_R_9_9_a_tampered_sealed_file_does_not_open():
    sealed = bytearray(age_passphrase.encrypt(b"AGE-SECRET-KEY-1", "kuda-laut-merah-17"))
    sealed[-3] ^= 1  # the payload's tag
    with pytest.raises(pyrage.DecryptError):
        pyrage.passphrase.decrypt(bytes(sealed), "kuda-laut-merah-17")


def test_R_9_9_a_key_sealed_offline_has_the_work_factor_the_server_accepts():
    recipient, sealed = opening_keys.seal_new_identity("kuda-laut-merah-17")
    opening_keys.check_sealed_identity(sealed)  # raises below 2^15 or above 2^22
    assert b"-> scrypt " in opening_keys.sealed_bytes(sealed)
    assert opening_keys.sealed_bytes(sealed).split(b"\n")[1].endswith(b" 15")
    identity = opening_keys.open_identity(sealed, "kuda-laut-merah-17")
    assert str(pyrage.x25519.Identity.from_str(identity).to_public()) == recipient
