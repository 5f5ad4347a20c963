"""docs/asvs.md maps every OWASP ASVS 5.0.0 Level 1 and Level 2 requirement (issue 21; the
security requirements of SPEC R-4.1 TLS and headers, R-4.4 security components): each row says
met, partial, gap, n/a or not yet reviewed, and a "met" row names the test that proves it. This
test keeps the map honest: no requirement missing or listed twice, no "met" without a test, no
test named that does not exist, and the summary counts equal the rows.

The requirements are read from OWASP's CSV in the project's shared folder (`LPSE_ASVS_CSV` wins),
the same ../shared/ the SPEC is read from (scripts/requirements_map.py)."""

from __future__ import annotations

import ast
import csv
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "asvs.md"
STATUSES = ("met", "partial", "gap", "n/a", "not yet reviewed")
NODE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
ROW = re.compile(r"^\|\s*(V\d+\.\d+\.\d+)\s*\|")
SUMMARY = re.compile(r"^\|\s*(V\d+|all)\s*\|((?:\s*\d+\s*\|){6})\s*$")


def csv_path() -> Path:
    env = os.environ.get("LPSE_ASVS_CSV")
    return Path(env) if env else ROOT.parent / "shared" / "asvs" / "asvs-5.0.0-en.csv"


def level_1_and_2(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return [row["req_id"] for row in csv.DictReader(f) if row["L"] in ("1", "2")]


@dataclass
class Row:
    line: int
    req: str
    status: str
    where: str
    proof: str


def rows_of(text: str) -> list[Row]:
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"docs/asvs.md:{n}: a row has five cells, not {len(cells)}"
        req, _paraphrase, status, where, proof = cells
        rows.append(Row(n, req, status.strip("*").strip(), where, proof))
    return rows


def functions_in(root: Path) -> dict[str, set[str]]:
    """Every test function (module level or in a class) of every test file, by path."""
    found: dict[str, set[str]] = {}
    for path in (root / "tests").rglob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name.startswith("test_")
        }
        found[path.relative_to(root).as_posix()] = names
    return found


def problems(text: str, required: list[str], functions: dict[str, set[str]]) -> list[str]:
    """What is wrong with a map: an empty list when it is complete and every proof exists."""
    found = []
    rows = rows_of(text)
    seen = Counter(r.req for r in rows)
    found += [f"{req}: missing" for req in required if req not in seen]
    found += [f"{req}: listed {k} times" for req, k in seen.items() if k > 1]
    found += [f"{req}: not a Level 1 or 2 requirement" for req in seen if req not in required]
    for r in rows:
        if r.status not in STATUSES:
            found.append(f"{r.req}: status {r.status!r} is not one of {STATUSES}")
        nodes = NODE.findall(r.proof)
        if r.status == "met" and not nodes:
            found.append(f"{r.req}: met without a test node id")
        if r.status in ("n/a", "partial", "gap") and not (r.where or r.proof):
            found.append(f"{r.req}: {r.status} without a reason")
        for path, name in nodes:
            name = name.split("[")[0]
            if name not in functions.get(path, set()):
                found.append(f"{r.req}: {path}::{name} does not exist")
    counts = Counter((r.req.split(".")[0], r.status) for r in rows)
    summaries = [SUMMARY.match(line) for line in text.splitlines()]
    summaries = [m for m in summaries if m]
    if not summaries:
        found.append("no summary table")
    for m in summaries:
        numbers = [int(x) for x in m.group(2).strip().strip("|").split("|")]
        chapter = m.group(1)
        actual = [
            sum(k for (ch, st), k in counts.items() if st == s and chapter in ("all", ch))
            for s in STATUSES
        ]
        actual.append(sum(actual))
        if numbers != actual:
            found.append(f"summary {chapter}: says {numbers}, the rows give {actual}")
    return found


@pytest.fixture(scope="module")
def required() -> list[str]:
    path = csv_path()
    if not path.exists():
        pytest.skip(f"ASVS CSV not found at {path} (set LPSE_ASVS_CSV)")
    ids = level_1_and_2(path)
    assert len(ids) > 200  # the file read is the whole standard, not a stub
    return ids


def test_issue21_the_map_lists_every_level_1_and_2_requirement_once_with_real_proofs(required):
    assert problems(MAP.read_text(encoding="utf-8"), required, functions_in(ROOT)) == []


# --- the checker itself catches each fault -------------------------------------------------------

FUNCTIONS = {"tests/test_a.py": {"test_real"}}
HEAD = "| V1 | 1 | 0 | 0 | 1 | 0 | 2 |\n| all | 1 | 0 | 0 | 1 | 0 | 2 |\n"
GOOD = HEAD + (
    "| V1.1.1 | a | met | x | `tests/test_a.py::test_real` |\n| V1.1.2 | b | n/a | no LDAP | |\n"
)


def test_issue21_a_complete_map_passes_the_checker():
    assert problems(GOOD, ["V1.1.1", "V1.1.2"], FUNCTIONS) == []


def test_issue21_the_checker_names_a_missing_a_doubled_and_an_unknown_requirement():
    text = GOOD + "| V1.1.1 | a | gap | x | |\n| V9.9.9 | z | gap | x | |\n"
    found = problems(text, ["V1.1.1", "V1.1.2", "V1.1.3"], FUNCTIONS)
    assert "V1.1.3: missing" in found
    assert "V1.1.1: listed 2 times" in found
    assert "V9.9.9: not a Level 1 or 2 requirement" in found


def test_issue21_met_without_a_test_or_with_a_test_that_does_not_exist_fails():
    text = GOOD.replace("`tests/test_a.py::test_real`", "settings.py")
    assert problems(text, ["V1.1.1", "V1.1.2"], FUNCTIONS) == ["V1.1.1: met without a test node id"]
    text = GOOD.replace("test_real", "test_imagined")
    assert problems(text, ["V1.1.1", "V1.1.2"], FUNCTIONS) == [
        "V1.1.1: tests/test_a.py::test_imagined does not exist"
    ]


def test_issue21_an_unknown_status_and_a_stale_summary_fail():
    text = GOOD.replace("| n/a |", "| done |")
    found = problems(text, ["V1.1.1", "V1.1.2"], FUNCTIONS)
    assert any("status 'done'" in f for f in found)
    assert any(f.startswith("summary V1: says [1, 0, 0, 1, 0, 2]") for f in found)


def test_issue21_the_checker_finds_the_projects_own_tests():
    functions = functions_in(ROOT)
    assert "test_issue21_a_complete_map_passes_the_checker" in functions["tests/test_asvs_map.py"]
    assert (
        "test_R_4_1_https_answers_carry_hsts_and_secure_cookies"
        in functions["tests/test_tls_proxy.py"]
    )
