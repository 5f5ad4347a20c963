"""Shamir's secret sharing over GF(2^8), byte for byte as the ``shamir-secret-sharing`` package.

Why a port: a tender's key is split in a committee member's browser with Privy's audited
``shamir-secret-sharing`` JavaScript package (bundled in ``static/vendor/lpse-crypto.min.js``),
and at the bid opening the server combines the shares the members unlock (R-9.9). Both sides must
agree on every detail, so this module copies the package's scheme (version 0.0.4, read from its
``src/index.ts``) rather than using another library's (pycryptodome's Shamir works over
GF(2^128) on 16-byte blocks and lays shares out differently):

- the field is GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B), and the package's
  log/exp tables use 0xE5 as the generator; the tables below are computed from those two numbers
  and checked against the field's definition in tests/test_shamir_gf256.py;
- each byte of the secret is the constant term of its own random polynomial of degree k - 1;
- a share is the polynomial values for every secret byte (y_0 .. y_{m-1}) followed by ONE byte
  holding the share's x coordinate, a distinct value in 1..255. So a share is one byte longer
  than the secret, and x is its last byte.

tests/test_shamir_gf256.py holds the two implementations to each other with vectors made by the
JavaScript package and with a live round trip through ``node`` in both directions.

Constant time is not promised in Python, but field arithmetic avoids branching on secret values
where that costs nothing (zero is masked, not tested with ``if``). Share x coordinates are not
secret, so the checks on them branch freely.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

MIN_SHARES = 2
MAX_SHARES = 255
_POLYNOMIAL = 0x11B  # x^8 + x^4 + x^3 + x + 1
_GENERATOR = 0xE5  # the package's choice (as in HashiCorp Vault's shamir tables)


class ShamirError(ValueError):
    """The arguments cannot be split or the shares cannot be combined; the message says why."""


def _gf_mul_slow(a: int, b: int) -> int:
    """Carry-less multiplication reduced by the polynomial: the field's definition, used once
    to build the tables (and by the tests as the reference)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= _POLYNOMIAL
        b >>= 1
    return product


def _tables() -> tuple[bytes, bytes]:
    exp = bytearray(256)
    log = bytearray(256)
    value = 1
    # 256 powers, as the package's tables hold: the generator's cycle is 255 long, so EXP[255]
    # wraps to 1 and LOG[1] ends as 255 (≡ 0 mod 255). LOG[0] stays 0, never used: zero is masked.
    for power in range(256):
        exp[power] = value
        log[value] = power
        value = _gf_mul_slow(value, _GENERATOR)
    return bytes(exp), bytes(log)


EXP_TABLE, LOG_TABLE = _tables()


def _nonzero_mask(a: int) -> int:
    """0xFF if a (a byte) is not zero, else 0, without a branch: (a + 255) >> 8 is 1 iff a > 0."""
    return -((a + 255) >> 8) & 0xFF


def mul(a: int, b: int) -> int:
    product = EXP_TABLE[(LOG_TABLE[a] + LOG_TABLE[b]) % 255]
    return product & _nonzero_mask(a) & _nonzero_mask(b)


def div(a: int, b: int) -> int:
    """a / b for b ≠ 0 (callers divide only by differences of distinct x coordinates)."""
    quotient = EXP_TABLE[(LOG_TABLE[a] - LOG_TABLE[b]) % 255]
    return quotient & _nonzero_mask(a)


def _evaluate(coefficients: bytes, x: int) -> int:
    """The polynomial at x by Horner's rule; coefficients[0] is the secret byte."""
    result = 0
    for coefficient in reversed(coefficients):
        result = mul(result, x) ^ coefficient
    return result


def split(secret: bytes, n: int, k: int) -> list[bytes]:
    """``n`` shares of ``secret``, any ``k`` of which rebuild it; each is len(secret) + 1 bytes.

    Same limits as the JavaScript package: a non-empty secret and 2 ≤ k ≤ n ≤ 255.
    """
    if not isinstance(secret, bytes | bytearray) or not secret:
        raise ShamirError("the secret must be non-empty bytes")
    for name, value in (("n", n), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ShamirError(f"{name} must be a whole number, not {value!r}")
        if not MIN_SHARES <= value <= MAX_SHARES:
            raise ShamirError(f"{name} must be between 2 and 255, not {value}")
    if k > n:
        raise ShamirError(f"k ({k}) cannot be more than n ({n}): n shares cannot meet k")
    # Distinct random x coordinates from 1..255 (never 0: the value at 0 is the secret).
    xs = secrets.SystemRandom().sample(range(1, 256), n)
    ys = [bytearray(len(secret)) for _ in range(n)]
    for i, byte in enumerate(secret):
        coefficients = bytes([byte]) + secrets.token_bytes(k - 1)
        for share, x in zip(ys, xs, strict=True):
            share[i] = _evaluate(coefficients, x)
    return [bytes(y) + bytes([x]) for y, x in zip(ys, xs, strict=True)]


def combine(shares: Sequence[bytes]) -> bytes:
    """The secret from shares made by :func:`split` here or ``split`` of the JavaScript package.

    Any k or more shares give the secret. Fewer give an unrelated value: Shamir's scheme cannot
    notice that, so callers check the result (the tender key's AES-GCM tag does, R-9.9).
    """
    shares = list(shares)
    if len(shares) < MIN_SHARES:
        raise ShamirError(f"at least 2 shares are needed to combine, got {len(shares)}")
    if len(shares) > MAX_SHARES:
        raise ShamirError(f"at most 255 shares can be combined, got {len(shares)}")
    for share in shares:
        if not isinstance(share, bytes | bytearray):
            raise ShamirError("each share must be bytes")
    length = len(shares[0])
    if length < 2:
        raise ShamirError("a share is at least 2 bytes (one secret byte and its x byte)")
    if any(len(share) != length for share in shares):
        lengths = sorted({len(share) for share in shares})
        raise ShamirError(
            f"the shares have different lengths ({lengths}): they come from different secrets"
        )
    xs = [share[-1] for share in shares]
    if 0 in xs:
        raise ShamirError("a share has x = 0, which split never makes: it is not a share")
    if len(set(xs)) != len(xs):
        raise ShamirError("two shares have the same x: give each member's share once")
    # Lagrange interpolation at x = 0: secret = Σ y_i · Π_{j≠i} x_j / (x_i − x_j), with − = ^.
    # The basis depends only on the public x coordinates, so it is computed once for all bytes.
    basis = []
    for i, xi in enumerate(xs):
        term = 1
        for j, xj in enumerate(xs):
            if i != j:
                term = mul(term, div(xj, xi ^ xj))
        basis.append(term)
    secret = bytearray(length - 1)
    for position in range(length - 1):
        value = 0
        for share, weight in zip(shares, basis, strict=True):
            value ^= mul(share[position], weight)
        secret[position] = value
    return bytes(secret)
