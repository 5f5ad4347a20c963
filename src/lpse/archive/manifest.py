"""A backup's manifest (docs/backup-format.md): every piece with the SHA-256 and size of its
ciphertext and plaintext, the database's row counts and the audit head at the snapshot, the
recipients, signed with the LPSE's Ed25519 key. It is stored in clear beside the pieces
(``manifests/<id>.json``) so a backup can be checked without any key; it holds hashes and
sizes, never content."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lpse.archive.pieces import Piece
from lpse.archive.targets import PieceMissing, Target
from lpse.core import signing

FORMAT = "lpse-backup-1"
PREFIX = "manifests/"


class ManifestRefused(Exception):
    """The manifest is unsigned, signed by another key, altered, or not of this format."""


@dataclass
class Manifest:
    backup_id: str
    created_at: str
    database_kind: str  # "sqlite" | "postgresql"
    database: Piece
    tables: dict[str, int]
    audit_head: dict | None
    recipients: list[str]
    previous: str | None = None
    files: dict[str, Piece] = field(default_factory=dict)  # data-folder name → piece
    blobs: dict[str, Piece] = field(default_factory=dict)  # blobs/ab/<sha256> → piece
    site: str = ""
    signer_fingerprint: str = ""

    @property
    def key(self) -> str:
        return f"{PREFIX}{self.backup_id}.json"

    def pieces(self) -> list[Piece]:
        return [self.database, *self.files.values(), *self.blobs.values()]

    def total_bytes(self) -> int:
        return sum(piece.cipher_size for piece in self.pieces())

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "backup_id": self.backup_id,
            "created_at": self.created_at,
            "site": self.site,
            "previous": self.previous,
            "database": {
                "kind": self.database_kind,
                "piece": self.database.as_json(),
                "tables": self.tables,
            },
            "audit_head": self.audit_head,
            "recipients": self.recipients,
            "files": {name: piece.as_json() for name, piece in sorted(self.files.items())},
            "blobs": {path: piece.as_json() for path, piece in sorted(self.blobs.items())},
            "signer": {"fingerprint": self.signer_fingerprint},
        }

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        if data.get("format") != FORMAT:
            raise ManifestRefused(f"not an {FORMAT} manifest (format {data.get('format')!r})")
        try:
            return cls(
                backup_id=data["backup_id"],
                created_at=data["created_at"],
                site=data.get("site", ""),
                previous=data.get("previous"),
                database_kind=data["database"]["kind"],
                database=Piece.from_json(data["database"]["piece"]),
                tables=data["database"]["tables"],
                audit_head=data["audit_head"],
                recipients=data["recipients"],
                files={k: Piece.from_json(v) for k, v in data["files"].items()},
                blobs={k: Piece.from_json(v) for k, v in data["blobs"].items()},
                signer_fingerprint=data["signer"]["fingerprint"],
            )
        except (KeyError, TypeError) as exc:
            raise ManifestRefused(f"the manifest lacks {exc}") from None


def store(target: Target, manifest: Manifest) -> None:
    """Sign and store the manifest: the last write of a backup, which makes it good."""
    import io

    sync = getattr(target, "sync", None)
    if sync is not None:  # the pieces first: a manifest never names a piece not yet durable
        sync()
    manifest.signer_fingerprint = signing.fingerprint()
    signed = signing.sign_json(manifest.as_json())
    body = json.dumps(signed, indent=1, sort_keys=True, ensure_ascii=False).encode()
    target.put(manifest.key, io.BytesIO(body))
    if sync is not None:
        sync()


def load(target: Target, backup_id: str, *, public_pem: str | None = None) -> Manifest:
    """Read and check a manifest: refused unless signed, unchanged, by ``public_pem`` (the
    operator's copy of the LPSE's public key; by default this server's own key)."""
    try:
        with target.open(f"{PREFIX}{backup_id}.json") as stored:
            data = json.loads(stored.read())
    except PieceMissing:
        raise ManifestRefused(f"{target.name} has no backup {backup_id}") from None
    except (ValueError, UnicodeDecodeError):
        raise ManifestRefused(f"the manifest of {backup_id} is not JSON: it was damaged") from None
    key = public_pem or signing.public_key_pem()
    try:
        signing.verify_json(data, key)
    except signing.SignatureInvalid as exc:
        raise ManifestRefused(
            f"the manifest of {backup_id} is refused: {exc} (signer key "
            f"{signing.fingerprint(key)[:16]}…; give the LPSE's public key with --signer)"
        ) from None
    return Manifest.from_json(data)


def backup_ids(target: Target) -> list[str]:
    """The backups on a target, oldest first (ids sort by time)."""
    return sorted(
        key.removeprefix(PREFIX).removesuffix(".json")
        for key in target.keys(PREFIX)
        if key.endswith(".json")
    )
