"""core.storage on both backends (issue 19, R-9.11, R-7.2): the data folder and an S3 bucket on
a real SeaweedFS. Each test runs on both unless it is about one of them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lpse.core import storage
from lpse.core.errors import DomainError
from lpse.core.models import Blob
from lpse.core.storage import backends
from lpse.operations import health
from tests.s3server import free_ports

pytestmark = pytest.mark.django_db
MIB = 1024 * 1024


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_R_9_11_a_blob_is_stored_once_and_read_back_with_its_fingerprints(file_store, settings):
    data = os.urandom(300_000)
    blob = storage.store_bytes(data)
    again = storage.store_bytes(data)

    assert again.pk == blob.pk == hashlib.sha256(data).hexdigest()
    assert blob.md5 == hashlib.md5(data).hexdigest() and blob.size == len(data)
    with storage.open_blob(blob) as f:
        assert f.read() == data
    assert storage.blob_size(blob.sha256) == len(data)
    blobs_in_folder = _files_under(Path(settings.MEDIA_ROOT) / "blobs")
    # The bucket's blobs never touch the data folder; the folder's are where they always were.
    assert len(blobs_in_folder) == (1 if file_store == "local" else 0)


def test_R_9_11_a_large_upload_goes_up_whole(file_store, settings):
    """Larger than one S3 part (a multipart upload on a bucket), streamed from a person's upload."""
    data = os.urandom(backends.S3Backend.PART_SIZE + 3 * MIB)
    upload = SimpleUploadedFile("besar.bin", data)

    blob = storage.store_upload(upload)

    assert blob.size == len(data)
    with storage.open_blob(blob) as f:
        assert hashlib.sha256(f.read()).hexdigest() == blob.sha256
    assert _files_under(storage.scratch_dir()) == []  # the staging file is gone


def test_R_9_11_a_tool_gets_a_file_on_this_node_and_a_missing_blob_is_no_file(file_store):
    data = b"age-encryption.org/v1\n" + os.urandom(5000)
    blob = storage.store_bytes(data)

    path = storage.blob_file(blob.sha256)
    assert path.read_bytes() == data
    storage.release_file(path)
    assert path.exists() == (file_store == "local")  # the folder's own file stays

    storage.delete_blob(blob.sha256)
    assert not storage.blob_file(blob.sha256).exists()
    assert storage.blob_size(blob.sha256) is None
    with pytest.raises(FileNotFoundError):
        storage.open_blob(blob)


def test_R_9_11_a_file_over_the_limit_leaves_nothing_behind(file_store):
    with pytest.raises(DomainError, match="larger than the 1 MB"):
        storage.store_chunks([os.urandom(MIB), b"x"], max_size=MIB)

    assert not Blob.objects.exists()
    assert _files_under(storage.scratch_dir()) == []


def test_R_9_11_readiness_says_whether_the_store_answers(file_store, settings, s3_server):
    assert health.check_storage() == f"ok ({file_store})"
    if file_store == "s3":
        settings.LPSE_STORAGE_URL = settings.LPSE_STORAGE_URL.replace("/test-", "/nonexistent-")
        with pytest.raises(storage.StorageUnavailable):
            health.check_storage()


def _dead_store(settings, s3_server) -> None:
    """The store's address with nothing listening there (a server that is down)."""
    (port,) = free_ports(1)
    settings.LPSE_STORAGE_URL = f"s3://lpse/?endpoint=http://127.0.0.1:{port}"
    settings.LPSE_STORAGE_S3_ACCESS_KEY = s3_server.access_key
    settings.LPSE_STORAGE_S3_SECRET_KEY = s3_server.secret_key
    settings.LPSE_SCRATCH_DIR = str(settings.DATA_DIR.parent / "scratch")


def test_R_9_11_a_store_that_is_down_is_said_and_nothing_is_recorded(settings, s3_server):
    """No Blob row for bytes that are not stored, no staging file left, and a plain message."""
    _dead_store(settings, s3_server)

    with pytest.raises(storage.StorageUnavailable) as refused:
        storage.store_bytes(b"surat penawaran")

    assert "not reachable" in str(refused.value) and refused.value.code == "storage"
    assert not Blob.objects.exists()
    assert _files_under(storage.scratch_dir()) == []


def test_R_9_11_the_store_is_chosen_by_one_setting_and_a_bad_one_is_refused(settings):
    settings.LPSE_STORAGE_URL = ""
    assert backends.current().kind == "local"
    with pytest.raises(ValueError, match="unknown option"):
        backends.parse_url("s3://bucket/x?endpont=http://127.0.0.1:1")
    with pytest.raises(ValueError, match="write s3://bucket"):
        backends.parse_url("http://bucket")
    parsed = backends.parse_url("s3://lpse-maros/blobs?endpoint=http://10.0.0.5:8333&region=id")
    assert parsed["bucket"] == "lpse-maros" and parsed["prefix"] == "/blobs"
    assert parsed["endpoint_url"] == "http://10.0.0.5:8333" and parsed["region_name"] == "id"


def test_R_9_11_nothing_outside_the_folder_backend_knows_the_data_folder_holds_blobs():
    """Issue 19: every reader and writer of blobs goes through core.storage."""
    root = Path(__file__).resolve().parents[1] / "src" / "lpse"
    allowed = {root / "core" / "storage" / "backends.py", root / "settings.py"}
    # The training sandbox only refuses to delete a folder that is inside it.
    allowed.add(root / "training" / "sandbox.py")
    # The benchmark's baseline sink writes a throw-away file (no blob), routed only with LPSE_BENCH.
    allowed.add(root / "portal" / "views.py")
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path not in allowed and "MEDIA_ROOT" in path.read_text()
    ]
    assert offenders == []
