"""The S3 backup target (SPEC 6, R-6.2): any S3-compatible server (SeaweedFS in the tests, AWS,
MinIO, Garage…) reached with boto3. Same promise as the folder target: a piece is either wholly
stored or not at all. A small piece goes up in one PUT (S3 stores a PUT atomically); a large one
as a multipart upload, which S3 shows to readers only when it is completed, and which we abort
on any error or interrupt so no half piece lingers (``sweep_partial`` aborts those a killed
process could not).

Configured by ``LPSE_BACKUP_TARGETS`` entries ``s3://bucket/prefix`` and the settings
``LPSE_BACKUP_S3_ENDPOINT``, ``LPSE_BACKUP_S3_REGION``, ``LPSE_BACKUP_S3_ACCESS_KEY`` and
``LPSE_BACKUP_S3_SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from lpse.archive.target_base import PieceMissing, TargetError, TargetFull, Written, checked_key

# S3 allows at most 10,000 parts of at least 5 MiB; 16 MiB parts carry pieces up to 156 GiB
# while holding only one part in memory.
PART_SIZE = 16 * 1024 * 1024

_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"}
# What S3-compatible servers answer when they have no room: AWS and most others name the
# code; SeaweedFS has none of its own and says so in an InternalError's message.
_FULL_CODES = {"EntityTooLarge", "QuotaExceeded", "XMinioStorageFull", "StorageFull"}
_FULL_WORDS = ("no free volume", "no writable volume", "no space left", "disk full", "quota")


class S3Target:
    """A bucket (and a prefix in it) on an S3-compatible server."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint: str | None,
        access_key: str | None,
        secret_key: str | None,
        region: str = "us-east-1",
        name: str | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint = endpoint or None
        self.name = name or f"s3://{bucket}/{self.prefix}"
        self.part_size = PART_SIZE  # tests lower it to keep a multipart piece small
        self._client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=Config(
                # SeaweedFS and most self-hosted servers serve buckets as paths, not host names.
                s3={"addressing_style": "path"},
                # Checksums only where S3 demands them: several S3-compatible servers reject
                # the newer default trailers; the piece's SHA-256 is checked by verify anyway.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=10,
                read_timeout=120,
            ),
        )

    @classmethod
    def from_spec(cls, spec: str) -> S3Target:
        """``s3://bucket/prefix`` with the server and keys from the ``LPSE_BACKUP_S3_*``
        settings (read with defaults, so this works before those settings are declared)."""
        from django.conf import settings

        bucket, _, prefix = spec.strip().removeprefix("s3://").partition("/")
        if not bucket:
            raise TargetError(
                f"{spec!r} names no bucket: write s3://bucket/prefix in LPSE_BACKUP_TARGETS."
            )
        return cls(
            bucket,
            prefix,
            endpoint=getattr(settings, "LPSE_BACKUP_S3_ENDPOINT", None),
            access_key=getattr(settings, "LPSE_BACKUP_S3_ACCESS_KEY", None),
            secret_key=getattr(settings, "LPSE_BACKUP_S3_SECRET_KEY", None),
            region=getattr(settings, "LPSE_BACKUP_S3_REGION", None) or "us-east-1",
            name=spec.strip(),
        )

    def _key(self, key: str) -> str:
        return self.prefix + checked_key(key).as_posix()

    # ----- the Target protocol -------------------------------------------------------------

    def put(self, key: str, source: BinaryIO) -> Written:
        full_key = self._key(key)
        hashing = _Hashing(source)
        first = hashing.read_part(self.part_size)
        with self._errors(f"cannot store {key}"):
            if len(first) < self.part_size:  # the whole piece fits in one request
                self._client.put_object(Bucket=self.bucket, Key=full_key, Body=first)
            else:
                self._put_multipart(full_key, first, hashing)
        return hashing.written()

    def _put_multipart(self, full_key: str, first: bytes, hashing: _Hashing) -> None:
        upload_id = self._client.create_multipart_upload(Bucket=self.bucket, Key=full_key)[
            "UploadId"
        ]
        try:
            parts: list[dict[str, Any]] = []
            part = first
            while part:
                answer = self._client.upload_part(
                    Bucket=self.bucket,
                    Key=full_key,
                    UploadId=upload_id,
                    PartNumber=len(parts) + 1,
                    Body=part,
                )
                parts.append({"PartNumber": len(parts) + 1, "ETag": answer["ETag"]})
                part = hashing.read_part(self.part_size)
            self._client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=full_key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            # An error, Ctrl-C or a failing source: drop the parts so nothing half-made stays
            # (and costs storage); if even that fails, sweep_partial catches it next run.
            self._abort_quietly(full_key, upload_id)
            raise

    def _abort_quietly(self, full_key: str, upload_id: str) -> None:
        with suppress(BotoCoreError, ClientError):
            self._client.abort_multipart_upload(
                Bucket=self.bucket, Key=full_key, UploadId=upload_id
            )

    def open(self, key: str) -> BinaryIO:
        with self._errors(f"cannot read {key}", missing=key):
            answer = self._client.get_object(Bucket=self.bucket, Key=self._key(key))
        return cast(BinaryIO, answer["Body"])

    def size(self, key: str) -> int | None:
        try:
            with self._errors(f"cannot look at {key}", missing=key):
                answer = self._client.head_object(Bucket=self.bucket, Key=self._key(key))
        except PieceMissing:
            return None
        return int(answer["ContentLength"])

    def keys(self, prefix: str) -> Iterator[str]:
        found: list[str] = []
        with self._errors("cannot list the pieces"):
            pages = self._client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix + prefix
            )
            for page in pages:
                found.extend(item["Key"][len(self.prefix) :] for item in page.get("Contents", []))
        return iter(sorted(found))

    def delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, as the protocol wants.
        with self._errors(f"cannot delete {key}"):
            self._client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def sweep_partial(self) -> int:
        swept = 0
        with self._errors("cannot list unfinished uploads"):
            pages = self._client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for upload in page.get("Uploads", []):
                    self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    swept += 1
        return swept

    # ----- errors ----------------------------------------------------------------------------

    @contextmanager
    def _errors(self, doing: str, missing: str | None = None) -> Iterator[None]:
        """Turn boto3's exceptions into TargetError messages that say what to do."""
        try:
            yield
        except ClientError as exc:
            raise self._client_error(exc, doing, missing) from None
        except BotoConnectionError:
            raise TargetError(
                f"{self.name}: the S3 server cannot be reached at {self.endpoint or 'AWS'}: is "
                "it running? Check LPSE_BACKUP_S3_ENDPOINT and the network, then run the "
                "backup again."
            ) from None
        except BotoCoreError as exc:
            raise TargetError(f"{self.name}: {doing}: {exc}") from None

    def _client_error(self, exc: ClientError, doing: str, missing: str | None) -> TargetError:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code == "NoSuchBucket":
            return TargetError(
                f"{self.name}: the bucket {self.bucket!r} does not exist on "
                f"{self.endpoint or 'AWS'}; create it (or correct LPSE_BACKUP_TARGETS)."
            )
        if missing is not None and code in {"NoSuchKey", "404", "NotFound"}:
            return PieceMissing(f"{self.name}: {missing} is missing")
        if code in _DENIED:
            return TargetError(
                f"{self.name}: {doing}: access denied ({code}); "
                "check LPSE_BACKUP_S3_ACCESS_KEY and LPSE_BACKUP_S3_SECRET_KEY and that these "
                "keys may read, write, list and delete in the bucket."
            )
        if (
            code in _FULL_CODES
            or status == 507
            or any(word in message.lower() for word in _FULL_WORDS)
        ):
            return TargetFull(
                f"{self.name} is full ({code}: {message}): nothing of this piece was kept. "
                "Free space or raise the quota on the S3 server, then run the backup again."
            )
        if isinstance(status, int) and status >= 500:
            # SeaweedFS answers a write it has no room for with a bare InternalError, so
            # "full" is one likely cause among others; its own log tells which.
            return TargetError(
                f"{self.name}: {doing}: the S3 server failed ({code}: {message}). Look in "
                "its log: often it has no free space (SeaweedFS: no free volumes). Nothing of "
                "this piece was kept; fix the server, then run the backup again."
            )
        return TargetError(f"{self.name}: {doing}: {code} {message}".rstrip())


class _Hashing:
    """Reads a source in parts and hashes the bytes as they pass, so a piece is read once."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self._digest = hashlib.sha256()
        self._size = 0

    def read_part(self, size: int) -> bytes:
        """Up to ``size`` bytes; fewer only at the end of the source."""
        chunks: list[bytes] = []
        wanted = size
        while wanted > 0 and (chunk := self._source.read(min(wanted, 1024 * 1024))):
            chunks.append(chunk)
            wanted -= len(chunk)
        part = b"".join(chunks)
        self._digest.update(part)
        self._size += len(part)
        return part

    def written(self) -> Written:
        return Written(size=self._size, sha256=self._digest.hexdigest())
