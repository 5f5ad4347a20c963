"""Release packages and record packages (with the compiled release) of OCDS 1.1."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

from django.conf import settings

from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import schema

PUBLICATION_POLICY = "/api/v1/docs"  # documented in docs/open-data.md


def _meta(uri: str, published: datetime | None) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": schema.VERSION,
        "extensions": [schema.bids_extension_url()],
        "publishedDate": (published or datetime.fromtimestamp(0).astimezone()).isoformat(),
        "publisher": {"name": settings.LPSE_SITE_NAME, "uri": settings.LPSE_BASE_URL},
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


def releases_of(ocid: str) -> list[OCDSRelease]:
    return list(OCDSRelease.objects.filter(ocid=ocid).order_by("seq"))


def release_package(releases: list[dict[str, Any]], *, uri: str, published=None) -> dict:
    return {**_meta(uri, published), "releases": releases}


def release_package_json(
    releases: list[str], *, uri: str, published=None, after: dict[str, Any] | None = None
) -> bytes:
    """The release package of ``release_package`` as JSON, its releases given as the JSON text
    the database holds (spliced in, not decoded and encoded again), then the keys of ``after``."""

    def members(data: dict[str, Any]) -> str:
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))[1:-1]

    head = members(_meta(uri, published))
    tail = f",{members(after)}" if after else ""
    return f'{{{head},"releases":[{",".join(releases)}]{tail}}}\n'.encode()


@functools.cache
def _merger():
    from ocdsmerge import Merger

    # The local schema with the bids extension patched in: never the web (schema.py).
    return Merger(schema=schema.patched_release_schema())


def compiled(releases: list[dict[str, Any]]) -> dict[str, Any]:
    return _merger().create_compiled_release(releases)


def record_package(rows: list[OCDSRelease], *, uri: str) -> dict:
    """One record (this ocid): every release embedded, and the compiled release."""
    releases = [r.data for r in rows]
    published = max((r.published_at for r in rows), default=None)
    record = {"ocid": rows[0].ocid, "releases": releases, "compiledRelease": compiled(releases)}
    return {**_meta(uri, published), "records": [record]}


def base_url() -> str:
    return settings.LPSE_BASE_URL + "/api/v1/ocds"
