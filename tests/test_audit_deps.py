"""scripts/audit-deps (ASVS V15.2.1, issue 21): a known vulnerability fails the audit, and an
advisory service that cannot be reached is reported as NOT AUDITED — never as a pass, which is
what pip-audit itself prints when it skips every package (R-4.4)."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
assert SPEC and SPEC.loader
audit_deps = importlib.util.module_from_spec(SPEC)
sys.modules["audit_deps"] = audit_deps  # dataclasses look their module up there
SPEC.loader.exec_module(audit_deps)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens


def test_R_4_4_an_unreachable_advisory_service_is_reported_not_audited_and_exits_0(tmp_path):
    """R-4.4: both tools pointed at a proxy where nothing listens (as on a machine without the
    advisory services): the output says NOT AUDITED for each, the status file records it, and
    the exit is 0 so CI goes on — but no 'pass' appears anywhere."""
    dead = f"http://127.0.0.1:{_closed_port()}"
    status = tmp_path / "audit.txt"
    env = {
        **os.environ,
        "HTTPS_PROXY": dead,
        "HTTP_PROXY": dead,
        "https_proxy": dead,
        "http_proxy": dead,
        "npm_config_https_proxy": dead,
        "npm_config_proxy": dead,
        "npm_config_fetch_retries": "0",
        "NO_PROXY": "",
        "no_proxy": "",
        "LPSE_AUDIT_STATUS": str(status),
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "audit_deps.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "NOT AUDITED: python" in done.stdout
    assert "NOT AUDITED: js" in done.stdout
    recorded = status.read_text(encoding="utf-8").splitlines()
    assert [line.split(":")[0:2] for line in recorded] == [
        ["python", " NOT AUDITED"],
        ["js", " NOT AUDITED"],
    ]
    assert ": pass:" not in done.stdout and "pass" not in status.read_text(encoding="utf-8")


# The shapes below are the tools' own JSON reports (pip-audit 2.x ``-f json``, npm 9+ audit v2).
PIP_CLEAN = {"dependencies": [{"name": "django", "version": "5.2.9", "vulns": []}], "fixes": []}
PIP_SKIPPED = {
    "dependencies": [
        {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        {"name": "celery", "version": "5.5.0", "vulns": []},
    ]
}
PIP_VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.0",
            "vulns": [
                {
                    "id": "PYSEC-2025-1",
                    "fix_versions": ["5.2.1"],
                    "aliases": ["CVE-2025-0001"],
                    "description": "…",
                }
            ],
        }
    ],
    "fixes": [],
}


def test_R_4_4_a_known_python_vulnerability_fails_and_a_skipped_package_is_no_pass():
    """R-4.4: one vulnerable package fails; one skipped package makes the whole run NOT AUDITED."""
    assert audit_deps.judge_pip(json.dumps(PIP_CLEAN)).status == audit_deps.PASS
    failed = audit_deps.judge_pip(json.dumps(PIP_VULNERABLE))
    assert failed.status == audit_deps.FAIL and "PYSEC-2025-1" in failed.detail
    assert "5.2.1" in failed.detail
    assert audit_deps.judge_pip(json.dumps(PIP_SKIPPED)).status == audit_deps.NOT_AUDITED
    assert audit_deps.judge_pip("", "ConnectionError").status == audit_deps.NOT_AUDITED


def _npm(**counts) -> str:
    zero = {"info": 0, "low": 0, "moderate": 0, "high": 0, "critical": 0}
    merged = {**zero, **counts}
    return json.dumps(
        {
            "auditReportVersion": 2,
            "vulnerabilities": {"tweetnacl": {}} if any(counts.values()) else {},
            "metadata": {
                "vulnerabilities": {**merged, "total": sum(merged.values())},
                "dependencies": {"total": 12},
            },
        }
    )


def test_R_4_4_a_known_js_vulnerability_fails_and_a_refused_audit_is_no_pass():
    """R-4.4: npm's counts decide; the registry's refusal (405 on the bulk advisory endpoint, as
    here) is NOT AUDITED."""
    assert audit_deps.judge_npm(_npm()).status == audit_deps.PASS
    failed = audit_deps.judge_npm(_npm(high=1))
    assert failed.status == audit_deps.FAIL and "tweetnacl" in failed.detail
    refused = json.dumps({"message": "405 Method Not Allowed - POST …/advisories/bulk"})
    verdict = audit_deps.judge_npm(refused)
    assert verdict.status == audit_deps.NOT_AUDITED and "405" in verdict.detail
