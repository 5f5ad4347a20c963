"""core.durable.DirectFile: the opening's documents written around the page cache (issue 19,
R-8.4). What matters is that every byte lands whatever the sizes of the pieces and of the file
(O_DIRECT takes only whole aligned blocks), and that a file system refusing O_DIRECT is written
all the same."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import pytest

from lpse.core.durable import DirectFile

MiB = 1024 * 1024


def _pieces(data: bytes, size: int):
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(
    ("length", "piece"),
    [
        (0, 1),
        (1, 1),
        (4095, 4095),
        (4096, 4096),
        (4097, 1000),
        (MiB, MiB),
        (MiB + 1, MiB),
        (3 * MiB + 123, 1000 * 1000),  # pieces that never line up with the buffer
        (2 * MiB + 4096, 7),
    ],
)
def test_every_byte_lands_whatever_the_sizes(tmp_path: Path, length: int, piece: int):
    data = os.urandom(length)
    path = tmp_path / "document"
    with DirectFile(path) as out:
        for chunk in _pieces(data, piece):
            out.write(memoryview(chunk))
    assert path.read_bytes() == data


def test_on_this_disk_the_page_cache_is_bypassed(tmp_path: Path):
    # The tests' folder is on ext4 here, which takes O_DIRECT: the claim measured in
    # bench/README-bids.md 3g is about this path, not the fallback.
    if "ext4" not in _file_system_type(tmp_path):
        pytest.skip("the tests' folder is not on ext4 here")
    with DirectFile(tmp_path / "document") as out:
        out.write(os.urandom(MiB + 5))
        assert out.direct


def test_a_file_system_without_o_direct_is_written_through_the_cache(tmp_path, monkeypatch):
    # Every file system on this machine takes O_DIRECT (tmpfs too, since Linux 6.6), so the
    # refusal others give (EINVAL at open) is made here.
    real_open = os.open

    def refusing(path, flags, *args):
        if flags & os.O_DIRECT:
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing)
    path = tmp_path / "document"
    data = os.urandom(MiB + 77)
    with DirectFile(path) as out:
        out.write(data)
        assert not out.direct
    assert path.read_bytes() == data


def test_a_failed_write_still_closes_the_file(tmp_path: Path):
    path = tmp_path / "document"
    out = DirectFile(path)
    out.write(b"x" * 10)
    os.close(out._fd)  # the descriptor gone under it, as a disk error would leave it
    with pytest.raises(OSError):
        out.close()
    assert out._fd == -1
    out.close()  # a second close does nothing


def _file_system_type(path: Path) -> str:
    """The type of the file system holding ``path``, from /proc/mounts (longest mount point)."""
    best, kind = "", ""
    resolved = str(path.resolve())
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _device, point, fs_type, *_ = line.split()
            if (resolved == point or resolved.startswith(point.rstrip("/") + "/")) and len(
                point
            ) >= len(best):
                best, kind = point, fs_type
    return kind


def test_leaving_on_an_error_closes_without_writing_the_rest(tmp_path: Path):
    path = tmp_path / "document"
    with pytest.raises(RuntimeError), DirectFile(path) as out:
        out.write(b"x" * 5000)  # less than the buffer: nothing written yet
        raise RuntimeError("the envelope turned out corrupted")
    assert path.read_bytes() == b""  # the caller removes it; no second error hid the first


def test_a_file_system_refusing_an_aligned_write_gets_the_rest_through_the_cache(
    tmp_path, monkeypatch
):
    real_write = os.write
    refused = []

    def refusing_once(fd, data):
        out_flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        if out_flags & os.O_DIRECT and not refused:
            refused.append(len(data))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", refusing_once)
    data = os.urandom(3 * MiB + 10)
    path = tmp_path / "document"
    with DirectFile(path) as out:
        out.write(data)
    if not refused:
        pytest.skip("the tests' folder did not take O_DIRECT")
    assert not out.direct
    assert path.read_bytes() == data
