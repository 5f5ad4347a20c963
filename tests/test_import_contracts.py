"""DESIGN "Boundaries" as a test of the test: the import contracts of ``.importlinter`` (run by
``scripts/test``, and so by ``.ci/run``) really catch what they promise to, and their
exceptions cannot grow quietly."""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "lpse"

# Raise a number only with a reason written beside the entry in .importlinter.
PINNED_IGNORED_IMPORTS = 0
PINNED_EXTRA_PUBLIC_MODULES = {"lpse.accounts.roles"}
MODEL_IMPORTERS = {"lpse.*.models", "lpse.*.forms", "lpse.*.migrations.*", "lpse.demo"}


def _contracts() -> dict[str, configparser.SectionProxy]:
    config = configparser.ConfigParser(inline_comment_prefixes=None)
    config.read(ROOT / ".importlinter")
    return {name: config[name] for name in config.sections() if ":contract:" in name}


def _lines(value: str) -> list[str]:
    return [
        line.strip()
        for line in value.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_the_contracts_hold_no_ignored_imports_beyond_the_pinned_count():
    ignored = [
        line
        for contract in _contracts().values()
        for line in _lines(contract.get("ignore_imports", ""))
    ]
    assert len(ignored) == PINNED_IGNORED_IMPORTS, ignored


def test_every_app_with_models_has_a_models_contract_with_only_relations_and_forms_as_importers():
    contracts = _contracts()
    apps = sorted(p.parent.name for p in SRC.glob("*/models.py") if p.parent.name != "core")
    for app in apps:
        contract = contracts.get(f"importlinter:contract:models-{app}")
        assert contract is not None, f"no models contract for lpse.{app}"
        assert contract["type"] == "protected"
        assert _lines(contract["protected_modules"]) == [f"lpse.{app}.models"]
        assert set(_lines(contract["allowed_importers"])) == {f"lpse.{app}", *MODEL_IMPORTERS}


def test_only_the_pinned_modules_are_public_beyond_services_and_selectors():
    face = _contracts()["importlinter:contract:public-face"]
    assert set(_lines(face["public"])) == {"services", "selectors"}
    assert set(_lines(face.get("public_modules", ""))) == PINNED_EXTRA_PUBLIC_MODULES


def _lint_copy(tmp_path: Path, inject: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on a copy of the tree with lines added to some modules."""
    shutil.copytree(
        SRC,
        tmp_path / "lpse",
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "templates", "locale"),
    )
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    for module, line in inject.items():
        path = tmp_path / Path(*module.split(".")).with_suffix(".py")
        path.write_text(path.read_text() + f"\n{line}\n")
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(lint), "--no-cache", "--no-logo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("module", "line", "named"),
    [
        # another app's models outside models.py and forms.py
        (
            "lpse.evaluation.views",
            "from lpse.bids.models import Bid  # noqa",
            "lpse.evaluation.views",
        ),
        # another app's internals instead of its services or selectors
        (
            "lpse.bids.views",
            "from lpse.tenders import forms  # noqa",
            "lpse.bids.views -> lpse.tenders.forms",
        ),
        # uphill: tenders sits below bids
        ("lpse.tenders.views_public", "from lpse.bids import selectors  # noqa", "lpse.tenders"),
    ],
    ids=["foreign-models", "internal-module", "uphill"],
)
def test_a_forbidden_import_breaks_the_contracts(tmp_path, module, line, named):
    result = _lint_copy(tmp_path, {module: line})
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
    assert named in result.stdout.replace("\n", " ")


def test_the_tree_as_it_is_keeps_every_contract(tmp_path):
    result = _lint_copy(tmp_path, {})
    assert result.returncode == 0, result.stdout[-3000:]


def test_no_module_imports_a_private_name_from_another_module():
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lpse"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offenders.append(
                            f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
                        )
    assert offenders == []
