"""The OCDS 1.1 schema, codelists and bids extension, read from the local copies beside the
project (``LPSE_OCDS_DIR``, ../shared/ocds): nothing is ever fetched from the web.

The packages name the bids extension by its canonical URL (pinned to the commit the local copy
was taken from, its ``SOURCE``); validation serves that URL from the local folder (validate.py).
"""

from __future__ import annotations

import functools
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import json_merge_patch
from django.conf import settings

BIDS_EXTENSION_REPO = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension"
)
VERSION = "1.1"


def standard_dir() -> Path:
    return Path(settings.LPSE_OCDS_DIR) / "standard-1.1"


def extension_dir() -> Path:
    return Path(settings.LPSE_OCDS_DIR) / "ocds_bid_extension"


def _commit(folder: Path) -> str:
    # SOURCE: "<commit> <date>"
    return (folder / "SOURCE").read_text(encoding="utf-8").split()[0]


@functools.cache
def bids_extension_base() -> str:
    return f"{BIDS_EXTENSION_REPO}/{_commit(extension_dir())}/"


def bids_extension_url() -> str:
    return bids_extension_base() + "extension.json"


def bids_extension_archive_url() -> str:
    return (
        "https://github.com/open-contracting-extensions/ocds_bid_extension/archive/"
        f"{_commit(extension_dir())}.zip"
    )


@functools.cache
def bids_extension_zip() -> bytes:
    """The local extension folder as GitHub's archive of that commit (one top folder)."""
    buffer = io.BytesIO()
    root = extension_dir()
    top = f"ocds_bid_extension-{_commit(root)}/"
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(top, "")
        for path in sorted(root.rglob("*")):
            if path.is_file():
                archive.write(path, top + path.relative_to(root).as_posix())
    return buffer.getvalue()


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def patched_release_schema() -> dict[str, Any]:
    """The release schema with the bids extension merged in (JSON Merge Patch, as the
    extension mechanism says). The non-dereferenced schema is patched so that the extension's
    changes to ``definitions`` (Award, Contract) reach every place that refers to them; ocdsmerge
    dereferences it itself."""
    core = _load(standard_dir() / "release-schema.json")
    patch = _load(extension_dir() / "release-schema.json")
    return json_merge_patch.merge(core, patch)


@functools.cache
def standard_zip() -> bytes:
    """The standard's schema folder as the ZIP that ocdsextensionregistry expects of the
    standard's repository (``<root>/schema/…``), so libcoveocds reads the local files."""
    buffer = io.BytesIO()
    root = standard_dir()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("standard/", "")
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in {".json", ".csv"}:
                name = f"standard/schema/{path.relative_to(root).as_posix()}"
                if path.name == "record-package-schema.json":
                    archive.writestr(name, _record_package_schema_offline(path))
                else:
                    archive.write(path, name)
    return buffer.getvalue()


VERSIONED_RELEASE_SCHEMA = (
    "https://standard.open-contracting.org/schema/1__1__5/versioned-release-validation-schema.json"
)


def _record_package_schema_offline(path: Path) -> str:
    """The record package schema refers to the versioned release schema by its web address,
    which jsonref would fetch (libcoveocds gives it no local loader). We publish no versioned
    releases (records embed the full releases and the compiled release, both checked against the
    release schema), so that branch is left unconstrained here."""
    found = []

    def local(node):
        if isinstance(node, dict):
            if node.get("$ref") == VERSIONED_RELEASE_SCHEMA:
                found.append(node)
                return {"type": "object"}
            return {key: local(value) for key, value in node.items()}
        if isinstance(node, list):
            return [local(value) for value in node]
        return node

    schema = local(_load(path))
    if not found:
        raise ValueError("record-package-schema.json: the versioned release reference moved")
    return json.dumps(schema)


def codes(codelist: str) -> set[str]:
    """The codes of a core or extension codelist (e.g. ``bidStatus.csv``)."""
    for folder in (standard_dir() / "codelists", extension_dir() / "codelists"):
        path = folder / codelist
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            header = lines[0].split(",")
            column = header.index("Code")
            return {line.split(",")[column] for line in lines[1:] if line}
    raise FileNotFoundError(codelist)
