"""Where stored bytes live: this node's folder (``MEDIA_ROOT``, the default, for the embedded
mode and a single machine) or an S3-compatible bucket shared by every application node
(issue 19, R-9.11). Chosen by ``LPSE_STORAGE_URL``: empty for the folder,
``s3://bucket/prefix?endpoint=http://host:port&region=…`` for a bucket, its keys in
``LPSE_STORAGE_S3_ACCESS_KEY`` / ``LPSE_STORAGE_S3_SECRET_KEY`` (not in the URL, which is
shown in logs and health pages).

Both promise the same: an object is either wholly there under its key or not at all. The
folder gets it by ``os.replace`` from a temporary file on the same disk; S3 shows a PUT, or a
completed multipart upload, to readers only when it is whole. This is the only module that
knows ``MEDIA_ROOT`` is where blobs are.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from lpse.core.durable import sync_file_system
from lpse.core.errors import DomainError


class StorageUnavailable(DomainError):
    """The object store did not answer or refused: nothing was stored or read, try again."""

    def __init__(self, detail: str):
        super().__init__(
            _(
                "The file store is not reachable right now (%(detail)s). Nothing was lost; "
                "try again in a moment, or tell the LPSE helpdesk if it persists."
            )
            % {"detail": detail},
            code="storage",
        )
        self.detail = detail


class StorageFull(DomainError):
    """The data folder's disk (or the user's quota) is full: nothing was stored, no partial
    file is left, and the same action works once space is freed (issue 21)."""

    def __init__(self, detail: str = ""):
        super().__init__(
            _(
                "The server's file storage is full, so the file was not saved. Nothing "
                "half-saved was kept. Try again later; if it happens again, tell the LPSE "
                "helpdesk that the storage is full."
            ),
            code="storage_full",
        )
        self.detail = detail


# A disk without room, or a quota reached: both mean "free space, then try again".
FULL = (errno.ENOSPC, errno.EDQUOT)


def is_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in FULL


@contextmanager
def writing(*partials: Path | str):
    """Around a write to this node's disk: a full disk becomes ``StorageFull`` and the named
    partial files are removed, whatever went wrong (nothing half-written stays)."""
    try:
        yield
    except BaseException as exc:
        for partial in partials:
            with suppress(FileNotFoundError):
                os.unlink(partial)
        if is_full(exc):
            raise StorageFull(str(exc)) from exc
        raise


class LocalBackend:
    """Objects as files under ``root`` (``MEDIA_ROOT``): ``blobs/ab/abcd…`` and so on."""

    kind = "local"

    def __init__(self, root: Path):
        self.root = root

    def __repr__(self) -> str:
        return f"folder {self.root}"

    def path(self, key: str) -> Path:
        return self.root / key

    def scratch_dir(self) -> Path:
        """Temporary files beside the objects, so that ``put_file`` is a rename."""
        folder = self.root / "tmp"
        with writing():
            folder.mkdir(parents=True, exist_ok=True)
        return folder

    def put_file(self, key: str, source: Path | str) -> None:
        final = self.path(key)
        with writing():
            final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, final)  # atomic on one filesystem: the usual case
        except OSError:
            # Another disk (a scratch file from elsewhere): copy beside it, then rename.
            with writing():
                fd, partial = tempfile.mkstemp(dir=final.parent, prefix=".partial-")
            with writing(partial), os.fdopen(fd, "wb") as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
                os.replace(partial, final)
            os.unlink(source)

    def put_bytes(self, key: str, data: bytes) -> None:
        with writing():
            fd, partial = tempfile.mkstemp(dir=self.scratch_dir(), prefix="put-")
        with writing(partial), os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        self.put_file(key, Path(partial))

    def make_durable(self) -> None:
        """Every object put so far survives a power cut (one flush of the folder's file
        system, for a writer that did not fsync each file: the opening's workers)."""
        sync_file_system(self.root)

    def size(self, key: str) -> int | None:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            return None

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError:
            raise KeyError(key) from None

    def download(self, key: str, dest: Path) -> None:
        try:
            shutil.copyfile(self.path(key), dest)
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        folder = self.root / prefix
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def check(self) -> None:
        with tempfile.NamedTemporaryFile(dir=self.scratch_dir(), prefix=".ready-") as probe:
            probe.write(b"ok")
            probe.flush()


class S3Backend:
    """Objects in a bucket of an S3-compatible server (SeaweedFS in the tests, AWS, MinIO…)."""

    kind = "s3"
    # boto3 sends a file larger than this as a multipart upload (parts of the same size),
    # which S3 shows to readers only once it is completed.
    PART_SIZE = 16 * 1024 * 1024

    def __init__(self, bucket: str, prefix: str = "", **client: Any):
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint = client.get("endpoint_url")
        self._client = boto3.client(
            "s3",
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                # A store that is down must be said quickly: the provider is told to resume.
                retries={"max_attempts": 2, "mode": "standard"},
                connect_timeout=3,
                read_timeout=60,
            ),
            **client,
        )

    def __repr__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.endpoint or 'AWS'}"

    def _key(self, key: str) -> str:
        return self.prefix + key

    def scratch_dir(self) -> Path:
        """Node-local temporary files, outside the data folder (nothing is kept there)."""
        folder = Path(settings.LPSE_SCRATCH_DIR or tempfile.gettempdir()) / "lpse-scratch"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _call(self, what: str, fn, *args, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(*args, **kwargs)
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in ("404", "NoSuchKey", "NotFound"):
                raise KeyError(what) from None
            raise StorageUnavailable(f"{what}: {code or exc}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{what}: {type(exc).__name__}") from exc

    def put_file(self, key: str, source: Path | str) -> None:
        from boto3.s3.transfer import TransferConfig

        transfer = TransferConfig(
            multipart_threshold=self.PART_SIZE,
            multipart_chunksize=self.PART_SIZE,
            use_threads=False,
        )
        # boto3 aborts its multipart upload when a part fails, so no half object is left.
        self._call(
            key, self._client.upload_file, str(source), self.bucket, self._key(key), Config=transfer
        )
        os.unlink(source)

    def make_durable(self) -> None:
        """Nothing to do: an object exists only once the server has taken all of it."""

    def put_bytes(self, key: str, data: bytes) -> None:
        self._call(key, self._client.put_object, Bucket=self.bucket, Key=self._key(key), Body=data)

    def size(self, key: str) -> int | None:
        try:
            head = self._call(key, self._client.head_object, Bucket=self.bucket, Key=self._key(key))
        except KeyError:
            return None
        return int(head["ContentLength"])

    def open(self, key: str) -> BinaryIO:
        answer = self._call(key, self._client.get_object, Bucket=self.bucket, Key=self._key(key))
        return answer["Body"]  # a StreamingBody: read(), iteration, close(), a context manager

    def download(self, key: str, dest: Path) -> None:
        from botocore.exceptions import BotoCoreError

        with self.open(key) as body, open(dest, "wb") as out:
            try:
                shutil.copyfileobj(body, out, 1024 * 1024)
            except BotoCoreError as exc:
                raise StorageUnavailable(f"{key}: {type(exc).__name__}") from exc

    def delete(self, key: str) -> None:
        self._call(key, self._client.delete_object, Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        for page in self._call(prefix, list, pages):
            found += [item["Key"][len(self.prefix) :] for item in page.get("Contents", [])]
        return sorted(found)

    def local_path(self, key: str) -> Path | None:
        return None

    def check(self) -> None:
        try:
            self._call("the bucket", self._client.head_bucket, Bucket=self.bucket)
        except KeyError:
            raise StorageUnavailable(f"no bucket {self.bucket!r}") from None


Backend = LocalBackend | S3Backend


def parse_url(url: str) -> dict[str, Any]:
    """``s3://bucket/prefix?endpoint=…&region=…`` → S3Backend's arguments (keys from settings)."""
    parts = urlsplit(url.strip())
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(
            f"LPSE_STORAGE_URL={url!r}: write s3://bucket/prefix?endpoint=http://host:port, "
            "or leave it empty for the data folder."
        )
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = set(query) - {"endpoint", "region"}
    if unknown:
        raise ValueError(
            f"LPSE_STORAGE_URL={url!r}: unknown option(s) {', '.join(sorted(unknown))}"
        )
    return {
        "bucket": parts.netloc,
        "prefix": parts.path,
        "endpoint_url": query.get("endpoint") or None,
        "region_name": query.get("region") or "us-east-1",
        "aws_access_key_id": settings.LPSE_STORAGE_S3_ACCESS_KEY or None,
        "aws_secret_access_key": settings.LPSE_STORAGE_S3_SECRET_KEY or None,
    }


_lock = threading.Lock()
_cache: dict[tuple, Backend] = {}


def current() -> Backend:
    """The backend the settings name now (tests change them; a client is made once for each)."""
    url = settings.LPSE_STORAGE_URL
    if not url:
        return LocalBackend(Path(settings.MEDIA_ROOT))
    key = (url, settings.LPSE_STORAGE_S3_ACCESS_KEY, settings.LPSE_STORAGE_S3_SECRET_KEY)
    with _lock:
        if key not in _cache:
            _cache[key] = bucket_at(url)
        return _cache[key]


def bucket_at(url: str) -> S3Backend:
    """The bucket an ``s3://`` URL names, with the settings' keys (``lpse restore
    --storage-url`` fills one before the nodes start on it)."""
    return S3Backend(**parse_url(url))
