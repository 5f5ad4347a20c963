"""The S3 backup target (R-6.2) against a real S3 server: SeaweedFS started by the suite."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from botocore.exceptions import ClientError

from lpse.archive.targets import PieceMissing, TargetError, TargetFull, target_from_spec
from lpse.archive.targets_s3 import S3Target
from tests.s3server import SeaweedS3, free_ports

MIB = 1024 * 1024


def _target(server, bucket: str, prefix: str = "site-a", **overrides) -> S3Target:
    options = {
        "endpoint": server.endpoint,
        "access_key": server.access_key,
        "secret_key": server.secret_key,
    } | overrides
    return S3Target(bucket, prefix, **options)


def _uploads(server, bucket: str) -> list[dict]:
    return server.client().list_multipart_uploads(Bucket=bucket).get("Uploads", [])


def _objects(server, bucket: str) -> list[str]:
    answer = server.client().list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in answer.get("Contents", [])]


class FailingSource(io.RawIOBase):
    """A piece whose reading fails midway, as when the disk under the source goes away."""

    def __init__(self, good_bytes: int, error: BaseException):
        self.left = good_bytes
        self.error = error

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            raise self.error
        chunk = os.urandom(min(size if size > 0 else MIB, self.left))
        self.left -= len(chunk)
        return chunk


def test_R_6_2_a_small_piece_goes_up_and_comes_back_with_its_hash(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket)
    data = os.urandom(300_000)

    written = target.put("blobs/ab/piece.age", io.BytesIO(data))

    assert written.size == len(data)
    assert written.sha256 == hashlib.sha256(data).hexdigest()
    assert _objects(s3_server, s3_bucket) == ["site-a/blobs/ab/piece.age"]
    with target.open("blobs/ab/piece.age") as piece:
        assert piece.read(10) == data[:10]
        assert piece.read() == data[10:]


def test_R_6_2_a_large_piece_goes_up_in_parts_and_is_whole(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket)
    target.part_size = 5 * MIB  # S3's smallest part, so 40 MiB makes eight of them
    data = os.urandom(40 * MIB)

    written = target.put("blobs/cd/large.age", io.BytesIO(data))

    assert written.sha256 == hashlib.sha256(data).hexdigest()
    assert written.size == target.size("blobs/cd/large.age") == 40 * MIB
    head = s3_server.client().head_object(Bucket=s3_bucket, Key="site-a/blobs/cd/large.age")
    assert head["ETag"].strip('"').endswith("-8")  # S3 marks a multipart object's ETag so
    with target.open("blobs/cd/large.age") as piece:
        assert hashlib.sha256(piece.read()).hexdigest() == written.sha256
    assert _uploads(s3_server, s3_bucket) == []


def test_R_6_2_size_keys_and_delete_see_only_the_targets_prefix(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket)
    other = _target(s3_server, s3_bucket, prefix="site-b")
    for key in ("manifests/2.json", "blobs/ff/b.age", "manifests/1.json"):
        target.put(key, io.BytesIO(key.encode()))
    other.put("manifests/9.json", io.BytesIO(b"another site"))

    assert list(target.keys("")) == ["blobs/ff/b.age", "manifests/1.json", "manifests/2.json"]
    assert list(target.keys("manifests/")) == ["manifests/1.json", "manifests/2.json"]
    assert target.size("blobs/ff/b.age") == len(b"blobs/ff/b.age")
    assert target.size("blobs/ff/none.age") is None

    target.delete("manifests/1.json")
    target.delete("manifests/1.json")  # already gone: no error

    assert list(target.keys("manifests/")) == ["manifests/2.json"]
    assert list(other.keys("")) == ["manifests/9.json"]


def test_R_6_3_a_missing_piece_is_named(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket)

    with pytest.raises(PieceMissing, match=r"blobs/00/gone\.age is missing"):
        target.open("blobs/00/gone.age")


@pytest.mark.parametrize("error", [OSError("the medium went away"), KeyboardInterrupt()])
def test_R_6_2_a_put_interrupted_midway_leaves_no_object_and_no_upload(s3_server, s3_bucket, error):
    target = _target(s3_server, s3_bucket)
    target.part_size = 5 * MIB

    with pytest.raises(type(error)):
        target.put("blobs/ee/half.age", FailingSource(12 * MIB, error))

    assert target.size("blobs/ee/half.age") is None
    assert _objects(s3_server, s3_bucket) == []
    assert _uploads(s3_server, s3_bucket) == []


def test_R_6_2_sweep_partial_aborts_what_a_killed_run_left(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket)
    client = s3_server.client()
    # A process killed between parts leaves an unfinished upload that only a sweep removes.
    mine = client.create_multipart_upload(Bucket=s3_bucket, Key="site-a/blobs/aa/killed.age")
    client.upload_part(
        Bucket=s3_bucket,
        Key="site-a/blobs/aa/killed.age",
        UploadId=mine["UploadId"],
        PartNumber=1,
        Body=b"x" * 1000,
    )
    client.create_multipart_upload(Bucket=s3_bucket, Key="site-b/blobs/aa/theirs.age")

    assert target.sweep_partial() == 1
    assert [u["Key"] for u in _uploads(s3_server, s3_bucket)] == ["site-b/blobs/aa/theirs.age"]
    assert list(target.keys("")) == []


def test_R_6_2_wrong_keys_are_refused_with_advice_to_check_them(s3_server, s3_bucket):
    target = _target(s3_server, s3_bucket, secret_key="not-the-secret")

    with pytest.raises(TargetError, match="LPSE_BACKUP_S3_SECRET_KEY") as refused:
        target.put("blobs/11/a.age", io.BytesIO(b"data"))

    assert "access denied" in str(refused.value)
    assert _objects(s3_server, s3_bucket) == []


def test_R_6_2_a_missing_bucket_is_named_with_advice_to_create_it(s3_server):
    target = _target(s3_server, "no-such-bucket-here")

    with pytest.raises(TargetError, match=r"'no-such-bucket-here' does not exist.*create it"):
        target.put("blobs/11/a.age", io.BytesIO(b"data"))


def test_R_6_2_an_unreachable_server_is_named_with_its_address():
    (closed_port,) = free_ports(1)  # nothing listens there once free_ports returns
    endpoint = f"http://127.0.0.1:{closed_port}"
    target = S3Target("backups", "", endpoint=endpoint, access_key="k", secret_key="s")

    with pytest.raises(TargetError, match=f"cannot be reached at {endpoint}: is it running"):
        list(target.keys(""))


def test_R_6_2_a_server_out_of_space_keeps_nothing_and_says_so(tmp_path):
    # A server of its own with one volume of 1 MiB: the session's server must not fill up.
    server = SeaweedS3(tmp_path / "tiny", volume_size_mb=1, max_volumes=1)
    (tmp_path / "tiny").mkdir()
    server.start()
    try:
        bucket = server.make_bucket("tiny")
        target = _target(server, bucket)
        target.part_size = 5 * MIB
        for number in range(20):  # fill it; the first refused put is the one under test
            try:
                target.put(f"blobs/{number:02}.age", io.BytesIO(os.urandom(12 * MIB)))
            except TargetError as exc:
                refused = exc
                break
        else:
            pytest.fail("a 1 MiB server took 240 MiB")
        assert "no free space" in str(refused) and "Nothing of this piece was kept" in str(refused)
        assert target.size(f"blobs/{number:02}.age") is None
        assert _uploads(server, bucket) == []
    finally:
        server.stop()


@pytest.mark.parametrize("code", ["QuotaExceeded", "EntityTooLarge"])
def test_R_6_2_a_quota_or_size_refusal_is_target_full(code):
    # SeaweedFS has no such answer, so this takes botocore's own error as other servers send it.
    target = S3Target("backups", "", endpoint="http://127.0.0.1:9", access_key="k", secret_key="s")
    refusal = ClientError(
        {
            "Error": {"Code": code, "Message": "no room"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        },
        "PutObject",
    )

    error = target._client_error(refusal, "cannot store x", None)

    assert isinstance(error, TargetFull)
    assert "is full" in str(error) and "run the backup again" in str(error)


def test_R_6_2_an_s3_entry_of_the_settings_becomes_a_working_target(s3_server, s3_bucket, settings):
    settings.LPSE_BACKUP_S3_ENDPOINT = s3_server.endpoint
    settings.LPSE_BACKUP_S3_ACCESS_KEY = s3_server.access_key
    settings.LPSE_BACKUP_S3_SECRET_KEY = s3_server.secret_key
    settings.LPSE_BACKUP_S3_REGION = "us-east-1"

    target = target_from_spec(f" s3://{s3_bucket}/lpse/maros ")
    target.put("manifests/1.json", io.BytesIO(b"{}"))

    assert target.name == f"s3://{s3_bucket}/lpse/maros"
    assert _objects(s3_server, s3_bucket) == ["lpse/maros/manifests/1.json"]


def test_R_6_2_an_s3_entry_without_a_bucket_is_explained():
    with pytest.raises(TargetError, match="names no bucket"):
        target_from_spec("s3:///prefix")
