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
                # An existing model given a mixin (``_name = "res.partner"`` with ``_inherit =
                # ["res.partner", "aftersales.guard.mixin"]``) is not the addon's to grant.
                extends = re.search(rf'_inherit = \[\s*"{re.escape(name)}"', path.read_text())
                if base != "models.AbstractModel" and not extends:
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


# ----------------------------------------------------------------------
# One door per state machine: only a model writes its own ``state``
# ----------------------------------------------------------------------

# Calls that write the values of their first argument on their receiver.
_STATE_WRITERS = {"write", "_system_write", "update"}
# Recordset methods whose result holds records of their receiver's model.
_SAME_MODEL_METHODS = {
    "browse",
    "create",
    "exists",
    "filtered",
    "filtered_domain",
    "search",
    "search_fetch",
    "sorted",
    "sudo",
    "with_company",
    "with_context",
    "with_env",
    "with_prefetch",
    "with_user",
}
_RELATIONAL = {"Many2one", "One2many", "Many2many"}
# (path, function) pairs allowed to write another model's state, each with the reason why. Keep it
# empty: a new flow tells the owning model through one of its ``_on_<event>`` doors instead.
_STATE_WRITE_ALLOWED = set()
_DICT = "<dict>"
# The owners' own transition helpers: a model moves its state through them, another model goes
# through the owner's doors (``_on_<event>``) or its public actions instead.
_TRANSITION_HELPERS = {
    "_approve_quotation",
    "_ensure_state",
    "_lock_for_change",
    "_resolve_done_work",
    "_void_for_resale",
}


def _class_model(node):
    """The model a class defines or extends (``_name``, else its first ``_inherit``), or None."""
    found = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            found[stmt.targets[0].id] = stmt.value
    for key in ("_name", "_inherit"):
        value = found.get(key)
        if isinstance(value, (ast.List, ast.Tuple)) and value.elts:
            value = value.elts[0]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return value.value
    return None


def _model_sources():
    for addon in ADDONS:
        # Controllers own no model: every state they write is another model's.
        for folder in ("models", "wizard", "report", "controllers"):
            for path in sorted((ROOT / addon / folder).glob("*.py")):
                yield path.relative_to(ROOT).as_posix(), path.read_text()


def _relational_fields(sources):
    """``{(model, field): comodel}`` of the relational fields the addons declare."""
    relations = {}
    for _path, source in sources:
        for cls in ast.walk(ast.parse(source)):
            if not isinstance(cls, ast.ClassDef) or not (model := _class_model(cls)):
                continue
            for stmt in cls.body:
                if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call)):
                    continue
                func = stmt.value.func
                if not (isinstance(func, ast.Attribute) and func.attr in _RELATIONAL):
                    continue
                args = [
                    *stmt.value.args[:1],
                    *(k.value for k in stmt.value.keywords if k.arg == "comodel_name"),
                ]
                if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            relations[model, target.id] = args[0].value
    return relations


class _Method:
    """The model of the records each expression of one method holds, as far as the source tells."""

    def __init__(self, model, func, relations):
        self.model, self.relations, self.names = model, relations, {}
        assigned = [
            n
            for n in ast.walk(func)
            if isinstance(n, (ast.Assign, ast.AugAssign, ast.For, ast.comprehension))
        ]
        # In source order, so that a name is known before the names assigned from it.
        for node in sorted(assigned, key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0))):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self._bind(target, node.value)
            elif isinstance(node, (ast.For, ast.comprehension)):
                self._bind(node.target, node.iter)
            # ``x |= y`` keeps the model of ``x``.

    def _bind(self, target, value):
        if (
            isinstance(target, ast.Tuple)
            and isinstance(value, ast.Tuple)
            and len(target.elts) == len(value.elts)
        ):
            for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                self._bind(sub_target, sub_value)
        elif isinstance(target, ast.Name):
            model = self.of(value)
            if target.id in self.names and self.names[target.id] != model:
                model = None  # a name given records of two models: unknown
            self.names[target.id] = model

    def of(self, node):
        """The model name of the records ``node`` holds, ``_DICT`` for a dict, None when unknown."""
        if isinstance(node, ast.Name):
            return self.model if node.id == "self" else self.names.get(node.id)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "super":
            return self.model  # super().<method>() runs on the class's own records
        if isinstance(node, (ast.Dict, ast.DictComp)):
            return _DICT
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            return _DICT
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return self.of(node.func.value) if node.func.attr in _SAME_MODEL_METHODS else None
        if isinstance(node, ast.Subscript):
            value = node.value
            if isinstance(value, ast.Attribute) and value.attr == "env":  # self.env["model"]
                key = node.slice
                return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
            return self.of(value)  # records[0], records[:1]
        if isinstance(node, ast.Attribute):
            owner = self.of(node.value)
            if node.attr == "_origin":
                return owner
            return self.relations.get((owner, node.attr))
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.BitAnd, ast.Sub)):
            return self.of(node.left) or self.of(node.right)
        if isinstance(node, ast.IfExp):
            body, orelse = self.of(node.body), self.of(node.orelse)
            return body if body == orelse or orelse is None else orelse if body is None else None
        return None


def _writes_state(node):
    """The receiver of ``node`` when it writes a ``state`` (a literal dict's key, ``x.state =``, or a
    call of a transition helper)."""
    func = getattr(node, "func", None)
    if isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr in _TRANSITION_HELPERS:
        return func.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _STATE_WRITERS
    ):
        vals = node.args[0] if node.args else None
        if isinstance(vals, ast.Dict) and any(
            isinstance(key, ast.Constant) and key.value == "state" for key in vals.keys
        ):
            return node.func.value
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "state":
                return target.value
    return None


def state_writes_of_other_models(path, source, relations):
    """``(path, line, function, model written or '?')`` of each write of a ``state`` whose receiver
    is not provably a record of the class's own model."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef):
            continue
        model = _class_model(cls)
        for func in cls.body:
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            method = _Method(model, func, relations)
            for node in ast.walk(func):
                receiver = _writes_state(node)
                if receiver is None:
                    continue
                written = method.of(receiver)
                if written == _DICT or (model and written == model):
                    continue
                if (path, func.name) in _STATE_WRITE_ALLOWED:
                    continue
                found.append((path, node.lineno, func.name, written or "?"))
    return found


def test_only_a_model_writes_its_own_state():
    """One door per state machine (issue 26): a repair, a delivery, a visit, an order or an activity
    tells the claim, the warranty, the visit or the follow-up through its ``_on_<event>`` method;
    it never writes their ``state`` itself. A write whose receiver the source does not show to be
    the class's own records is refused too: write it on ``self`` (or records derived from it)."""
    sources = list(_model_sources())
    relations = _relational_fields(sources)
    assert relations["aftersales.visit", "claim_id"] == "aftersales.claim"  # the checker sees fields
    found = [hit for path, source in sources for hit in state_writes_of_other_models(path, source, relations)]
    assert not found, f"state written outside its own model (path, line, method, model): {found}"


def test_state_door_check_catches_a_visit_resolving_its_claim():
    """The check above fails on the writes issue 26 removed, and passes the model's own writes."""
    relations = _relational_fields(list(_model_sources()))
    path = "aftersales_warranty/models/aftersales_visit.py"
    visit_source = (ROOT / path).read_text()
    assert state_writes_of_other_models(path, visit_source, relations) == []

    def check(method):
        # Appended to the visit's own class (the file's last), as a method of aftersales.visit.
        source = visit_source + "\n" + "\n".join("    " + line for line in method.strip().splitlines()) + "\n"
        return [
            (func, model)
            for _path, _line, func, model in state_writes_of_other_models(path, source, relations)
        ]

    assert check(
        """
def _resolve_claims(self):
    for visit in self:
        claim = visit.claim_id.sudo()
        claim._system_write({"state": "resolved"})
"""
    ) == [("_resolve_claims", "aftersales.claim")]
    assert sorted(
        check(
            """
def _void_warranty(self, records):
    self.warranty_id.write({"state": "void", "note": "x"})
    self.env["aftersales.claim"].browse(self.claim_id.id).state = "cancelled"
    others = self.env["aftersales.warranty"].sudo().search([])
    (others | self.warranty_id).filtered(lambda w: w.state == "active")._system_write({"state": "void"})
    records.write({"state": "done"})
"""
        )
    ) == sorted(
        [
            ("_void_warranty", "aftersales.warranty"),
            ("_void_warranty", "aftersales.claim"),
            ("_void_warranty", "aftersales.warranty"),
            ("_void_warranty", "?"),
        ]
    )
    # Nor may it move the claim through the claim's own transition helpers.
    assert check(
        """
def _resolve_claims(self, moves):
    self.claim_id.sudo()._resolve_done_work()
    moves.aftersales_claim_id._ensure_state(("new",), "resolve")
"""
    ) == [("_resolve_claims", "aftersales.claim"), ("_resolve_claims", "?")]
    # The visit's own records, however reached, and plain dicts, pass.
    assert (
        check(
            """
def _own_writes(self):
    vals = {"state": "draft"}
    vals.update({"state": "done"})
    done = self.sudo().filtered(lambda v: v.state == "scheduled")
    for visit in done | self.browse(1):
        visit._system_write({"state": "done"})
    self.claim_id.visit_ids.write({"state": "cancelled"})
    self.state = "draft"
"""
        )
        == []
    )
