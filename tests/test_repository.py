"""Repository-level checks: packaging, manifests, access rules, README/CI contract."""

import ast
import csv
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["aftersales_warranty", "aftersales_feedback"]


def _manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest_conventions(addon):
    manifest = _manifest(addon)
    assert re.fullmatch(r"19\.0\.\d+\.\d+\.\d+", manifest["version"]), manifest["version"]
    assert manifest["license"] == "LGPL-3"
    assert manifest["author"] == "Aftersales for Odoo"
    assert "description" not in manifest
    for key in ("data", "demo"):
        for path in manifest.get(key, []):
            assert (ROOT / addon / path).is_file(), f"{addon}: {key} file {path} is missing"
    assert (ROOT / addon / "pyproject.toml").is_file()
    assert (ROOT / addon / "static/description/icon.png").is_file()


@pytest.mark.parametrize("addon", ADDONS)
def test_every_model_has_access_rules(addon):
    names = set()
    for folder in ("models", "wizard"):
        for path in (ROOT / addon / folder).glob("*.py"):
            # Abstract models (mixins) have no table and take no access rules.
            for base, name in re.findall(
                r'^class \w+\((models\.\w+)\):\n(?:[^\n]*\n)*?\s+_name = "([\w.]+)"', path.read_text(), re.M
            ):
                # A model extended with a mixin (_inherit = ["res.partner", "aftersales.guard.mixin"])
                # names itself in _name too: it is Odoo's model, with Odoo's access rules.
                extended = f'_inherit = ["{name}", ' in path.read_text()
                if base != "models.AbstractModel" and not extended:
                    names.add(name)
    acl = ROOT / addon / "security/ir.model.access.csv"
    rows = list(csv.DictReader(acl.open())) if acl.exists() else []
    covered = {row["model_id:id"].split(".")[-1] for row in rows}
    missing = {name for name in names if "model_" + name.replace(".", "_") not in covered}
    assert not missing, f"{addon}: models without access rules: {sorted(missing)}"


def test_metapackage_names_both_addons():
    text = (ROOT / "setup/_metapackage/pyproject.toml").read_text()
    for addon in ADDONS:
        assert f"odoo-addon-{addon}" in text


def test_requirements():
    runtime = (ROOT / "requirements.txt").read_text()
    assert "python-dateutil" in runtime and "phonenumbers" in runtime
    tools = (ROOT / "test-requirements.txt").read_text()
    for tool in ("pytest-odoo", "freezegun", "websocket-client", "ruff", "pylint-odoo"):
        assert tool in tools


def test_readme_and_ci_name_the_same_commands():
    readme = (ROOT / "README.md").read_text()
    assert "setup/run" in readme and "setup/test" in readme
    ci = (ROOT / ".ci/run").read_text()
    assert re.search(r"^setup/test\b", ci, re.M), ".ci/run must run the README's test command"


def test_no_odoo_code_is_tracked():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    leaked = [
        f
        for f in files.splitlines()
        if re.search(r"(^|/)odoo-bin$|^odoo/|(^|/)addons/(base|web|sale|stock)/", f)
    ]
    assert not leaked, leaked


@pytest.mark.parametrize("addon", ADDONS)
def test_odoo_runner_imports_every_test_module(addon):
    """``odoo-bin --test-enable`` (OCA CI, runbot) runs only the modules ``tests/__init__.py``
    imports: every ``test_*.py`` of the addon must be there."""
    tests = ROOT / addon / "tests"
    modules = {path.stem for path in tests.glob("test_*.py")}
    imported = set(re.findall(r"\b(test_\w+)\b", (tests / "__init__.py").read_text()))
    assert modules, f"{addon} has no test module"
    assert modules - imported == set(), (
        f"{addon}/tests/__init__.py does not import {sorted(modules - imported)}"
    )
    assert imported - modules == set(), (
        f"{addon}/tests/__init__.py imports missing {sorted(imported - modules)}"
    )
