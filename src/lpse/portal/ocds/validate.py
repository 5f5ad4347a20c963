"""Validation of releases and packages with libcoveocds against the LOCAL schema, codelists and
bids extension (R-9.5).

libcoveocds reads the standard through ocdsextensionregistry: the standard from a ZIP (given as
bytes here, ``standard_zip``) and each extension named in a package's ``extensions`` from its URL
through one shared ``requests`` session. A transport adapter mounted on that session answers the
bids extension's URLs from the local folder and refuses everything else, so a validation never
reaches the web (and fails loudly rather than silently skipping an extension).
"""

from __future__ import annotations

import functools
import io
import tempfile
from dataclasses import dataclass, field
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.response import HTTPResponse

from lpse.portal.ocds import schema


class LocalExtensionAdapter(HTTPAdapter):
    """Serves ``<bids extension base URL><file>`` from the local copy; 404 for anything else."""

    def send(self, request, **kwargs):
        base = schema.bids_extension_base()
        body, status = b"", 404
        if request.url == schema.bids_extension_archive_url():
            # ocdsextensionregistry reads a GitHub extension from its archive when it can.
            body, status = schema.bids_extension_zip(), 200
        elif request.url.startswith(base):
            folder = schema.extension_dir().resolve()
            candidate = (folder / request.url[len(base) :]).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                body, status = candidate.read_bytes(), 200
        # A urllib3 response, as from the network: requests_cache (the session's cache) reads it.
        raw = HTTPResponse(
            body=io.BytesIO(body),
            status=status,
            reason="OK" if status == 200 else "Not Found (only the local OCDS files are served)",
            headers={"Content-Length": str(len(body))},
            preload_content=False,
            request_url=request.url,
        )
        return self.build_response(request, raw)


@functools.cache
def _install_adapter() -> None:
    from ocdsextensionregistry import util

    adapter = LocalExtensionAdapter()
    util.session.mount("https://", adapter)
    util.session.mount("http://", adapter)


def _config():
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = schema.standard_zip()
    # Only what the tests assert on: schema and codelist errors (the additional checks are
    # advice about data quality and cost time on large packages).
    config.config["additional_checks"] = "none"
    config.config["skip_aggregates"] = True
    return config


@dataclass
class Report:
    schema_errors: list[dict] = field(default_factory=list)
    codelist_errors: list = field(default_factory=list)
    extension_problems: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.schema_errors or self.codelist_errors or self.extension_problems)


def validate_package(package: dict[str, Any]) -> Report:
    """Validate a release package or record package; see ``Report``."""
    from libcoveocds.api import ocds_json_output

    _install_adapter()
    # With extensions, libcoveocds writes the extended schema into output_dir: a throw-away one.
    with tempfile.TemporaryDirectory() as folder:
        context = ocds_json_output(folder, json_data=package, lib_cove_ocds_config=_config())
    extensions = context.get("extensions") or {}
    return Report(
        schema_errors=list(context.get("validation_errors") or []),
        codelist_errors=list((context.get("additional_closed_codelist_values") or {}).items()),
        extension_problems=dict(extensions.get("invalid_extension") or {}),
    )
