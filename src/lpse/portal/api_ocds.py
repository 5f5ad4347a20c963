"""The OCDS operations of the JSON API (R-9.5, issue 18): every published release oldest first
behind a ``since=`` cursor, a tender's release package and record package (with its compiled
release), and the bulk files. docs/open-data.md describes them for a reader.

Every answer carries an ETag made from the SHA-256 of the releases in it (kept with each release
when it is published), so a harvester asking again with If-None-Match gets 304 without the
server compiling a record or reading a file."""

# No "from __future__ import annotations": django-ninja reads these annotations at runtime.

import hashlib
from datetime import datetime
from typing import Annotated, Any

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from lpse.core.api import api_operation
from lpse.core.api_errors import ApiError
from lpse.core.capabilities import PUBLIC
from lpse.portal.models import OCDSRelease
from lpse.portal.ocds import bulk, packages

MAX_LIMIT = 500
# An ocid is the prefix and a tender code; the pattern keeps bytes a database refuses (NUL) out.
OCID_PATTERN = r"^[A-Za-z0-9._-]{1,100}$"
BULK_PATTERN = bulk.NAME.pattern.join("^$")
PACKAGE = {"type": "object", "description": "An OCDS 1.1 package (see docs/open-data.md)."}

OcidPath = Annotated[
    str, Path(..., pattern=OCID_PATTERN, description="e.g. ocds-lpsemr-2026000123")
]


class ReleasePageIn(Schema):
    since: int = Field(
        0, ge=0, le=2**53, description="The `next` of the previous page (0: from the first)."
    )
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Releases per page.")


class BulkFileOut(Schema):
    name: str
    size: int
    sha256: str
    url: str
    modified: datetime


def _etag(*parts: str) -> str:
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40] + '"'


def _unchanged(request: HttpRequest, etag: str, modified: datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match", "")
    if if_none_match:  # it wins over If-Modified-Since (RFC 9110 13.2.2)
        tags = [t.strip() for t in if_none_match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified is not None and int(modified.timestamp()) <= since


def _conditional(request, etag: str, modified: datetime | None, make) -> HttpResponseBase:
    """304 when the client holds this answer; otherwise ``make()``'s response. Both carry the
    validators."""
    response: HttpResponseBase = (
        HttpResponseNotModified() if _unchanged(request, etag, modified) else make()
    )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def _json(data: dict[str, Any]):
    def make() -> HttpResponse:
        return HttpResponse(bulk.line(data), content_type="application/json; charset=utf-8")

    return make


def _meta_key() -> str:
    # What the package adds around the releases: a new publisher name changes the answer.
    return f"{settings.LPSE_SITE_NAME}|{settings.LPSE_BASE_URL}"


def _releases_or_404(ocid: str) -> list[OCDSRelease]:
    rows = packages.releases_of(ocid)
    if not rows:
        raise ApiError(
            404,
            _("No release has the ocid “%(ocid)s”: take one from /ocds/releases.") % {"ocid": ocid},
        )
    return rows


def _json_responses(extra: dict | None = None) -> dict:
    return {200: {"content": {"application/json": {"schema": PACKAGE}}}, **(extra or {})}


@api_operation(
    "GET",
    "/ocds/releases",
    capability=PUBLIC,
    response={200: dict[str, Any], 304: None},
    openapi_extra={"responses": _json_responses()},
)
def ocds_releases(request, page: Query[ReleasePageIn]):
    """Every published release, oldest first, as an OCDS release package. Follow `next` (also in
    `links.next`) until it is null; keep the last `next` and ask with `since=` later for what was
    published meanwhile. A release never changes, so a page never does either."""
    # The stored JSON text of each release goes out as it is: decoding 100 releases into dicts
    # and encoding them again was most of the page's time (bench/ocds_api_page.py). The ETag and
    # Last-Modified need only the small columns.
    rows = list(
        OCDSRelease.objects.filter(seq__gt=page.since)
        .order_by("seq")
        .annotate(text=Cast("data", TextField()))
        .values_list("seq", "sha256", "published_at", "text")[: page.limit + 1]
    )
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    following = rows[-1][0] if more else None
    modified = max((r[2] for r in rows), default=None)
    etag = _etag("releases", _meta_key(), str(following), *(r[1] for r in rows))

    def make() -> HttpResponse:
        after: dict[str, Any] = {"next": following}
        if following is not None:
            url = f"{packages.base_url()}/releases?since={following}&limit={page.limit}"
            after["links"] = {"next": url}
        body = packages.release_package_json(
            [r[3] for r in rows],
            uri=f"{packages.base_url()}/releases?since={page.since}&limit={page.limit}",
            published=modified,
            after=after,
        )
        return HttpResponse(body, content_type="application/json; charset=utf-8")

    return _conditional(request, etag, modified, make)


@api_operation(
    "GET",
    "/ocds/releases/{ocid}",
    capability=PUBLIC,
    response={200: dict[str, Any], 304: None},
    openapi_extra={"responses": _json_responses()},
)
def ocds_release_package(request, ocid: OcidPath):
    """Every release of one contracting process (a tender), oldest first, as a release package."""
    rows = _releases_or_404(ocid)
    modified = max(r.published_at for r in rows)
    etag = _etag("release-package", _meta_key(), *(r.sha256 for r in rows))

    def make() -> HttpResponse:
        uri = f"{packages.base_url()}/releases/{ocid}"
        return _json(
            packages.release_package([r.data for r in rows], uri=uri, published=modified)
        )()

    return _conditional(request, etag, modified, make)


@api_operation(
    "GET",
    "/ocds/records/{ocid}",
    capability=PUBLIC,
    response={200: dict[str, Any], 304: None},
    openapi_extra={"responses": _json_responses()},
)
def ocds_record_package(request, ocid: OcidPath):
    """The record of one contracting process: its releases and the compiled release (the
    current state merged from them), as a record package."""
    rows = _releases_or_404(ocid)
    modified = max(r.published_at for r in rows)
    etag = _etag("record-package", _meta_key(), *(r.sha256 for r in rows))

    def make() -> HttpResponse:
        uri = f"{packages.base_url()}/records/{ocid}"
        return _json(packages.record_package(rows, uri=uri))()

    return _conditional(request, etag, modified, make)


def _bulk_out(found: bulk.BulkFile) -> dict:
    return {
        "name": found.name,
        "size": found.size,
        "sha256": found.sha256,
        "url": f"{packages.base_url()}/bulk/{found.name}",
        "modified": found.modified,
    }


@api_operation("GET", "/ocds/bulk", capability=PUBLIC, response=list[BulkFileOut])
def ocds_bulk_list(request):
    """The bulk files: one JSON Lines file of the releases published each day (WITA) and a ZIP
    of every release, each with its SHA-256 (also at `<url>.sha256`, for `sha256sum -c`)."""
    return [_bulk_out(f) for f in bulk.bulk_files()]


CONTENT_TYPES = {
    ".jsonl": "application/jsonl",
    ".zip": "application/zip",
    ".sha256": "text/plain; charset=utf-8",
}
BINARY = {"schema": {"type": "string", "format": "binary"}}


@api_operation(
    "GET",
    "/ocds/bulk/{name}",
    capability=PUBLIC,
    response={200: None, 304: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "application/jsonl": BINARY,
                    "application/zip": BINARY,
                    "text/plain": BINARY,
                },
            }
        }
    },
)
def ocds_bulk_file(request, name: Annotated[str, Path(..., pattern=BULK_PATTERN)]):
    """One bulk file by the name the list gives, or its `.sha256`."""
    listed = {f.name: f for f in bulk.bulk_files()}
    main = name.removesuffix(".sha256")
    path = bulk.bulk_path(name) if main in listed else None
    if path is None:
        raise ApiError(404, _("There is no bulk file of that name: see /ocds/bulk for the list."))
    found = listed[main]
    etag = f'"{found.sha256}{"-sha256" if name != main else ""}"'

    def make() -> HttpResponseBase:
        suffix = ".sha256" if name != main else path.suffix
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[suffix])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    return _conditional(request, etag, found.modified, make)
