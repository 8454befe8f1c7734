# SPDX-License-Identifier: AGPL-3.0-or-later
"""Every audit action name is registered (openiop.audit.actions), and an
unknown one fails loudly in tests and DEBUG but never loses an event in production."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import openiop
from openiop.audit import actions
from openiop.audit.models import AuditEvent
from openiop.audit.services import log_action

ROOT = Path(openiop.__file__).parent


def _modules() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        # This file logs unknown names on purpose.
        if "migrations" not in path.parts and path != Path(__file__):
            yield path


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _action_argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((kw.value for kw in call.keywords if kw.arg == keyword), None)


def _names_in(node: ast.expr) -> Iterator[tuple[str, str]]:
    """("name", literal) or ("prefix", constant head of an f-string) or ("param", variable) for NODE."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield "name", node.value
    elif isinstance(node, ast.IfExp):
        yield from _names_in(node.body)
        yield from _names_in(node.orelse)
    elif isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        yield "prefix", head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else ""
    elif isinstance(node, ast.Name):
        yield "param", node.id
    else:
        yield "unknown", ast.unparse(node)


def action_names_in_code() -> tuple[set[tuple[str, str]], list[str]]:
    """Every name passed to log_action, following one level of helpers that forward a parameter
    (``_saved(diagnosis, "diagnosis.create", ...)``). Returns ({(kind, value)}, [where a name is unknowable])."""
    found: set[tuple[str, str]] = set()
    unresolved: list[str] = []
    for path in _modules():
        tree = ast.parse(path.read_text(), str(path))
        forwarders: dict[str, int] = {}
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            params = [arg.arg for arg in function.args.args + function.args.kwonlyargs]
            for call in ast.walk(function):
                if not isinstance(call, ast.Call) or _called_name(call) != "log_action":
                    continue
                argument = _action_argument(call, 0, "action")
                if argument is None:
                    continue
                for kind, value in _names_in(argument):
                    if kind == "param" and value in params and function.name != "log_action":
                        forwarders[function.name] = params.index(value)
                    elif kind in {"param", "unknown"}:
                        if function.name not in {"log_action", "log_read"}:
                            unresolved.append(f"{path}:{call.lineno} {value}")
                    else:
                        found.add((kind, value))
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _called_name(call) in forwarders:
                argument = _action_argument(call, forwarders[_called_name(call) or ""], "action")
                for kind, value in _names_in(argument) if argument is not None else ():
                    if kind in {"name", "prefix"}:
                        found.add((kind, value))
                    else:
                        unresolved.append(f"{path}:{call.lineno} {value}")
    return found, unresolved


def test_every_action_name_in_the_code_is_registered() -> None:
    found, unresolved = action_names_in_code()
    assert unresolved == [], "pass log_action a literal name (or one a helper forwards)"
    assert len(found) > 150  # the scan really sees the code
    unknown = sorted(value for kind, value in found if kind == "name" and not actions.is_known(value))
    assert unknown == []
    known = actions.known_actions()
    prefixes = sorted(
        value for kind, value in found if kind == "prefix" and not any(name.startswith(value) for name in known)
    )
    assert prefixes == []


def test_the_scan_reads_literals_conditionals_and_f_strings() -> None:
    module = ast.parse(
        "def f(x):\n    log_action('a.b' if x else 'a.c')\n    log_action(f'ref.{x}')\n    log_action(action=x)\n"
    )
    names = {(kind, value) for node in ast.walk(module) for kind, value in _scan_one(node)}
    assert names == {("name", "a.b"), ("name", "a.c"), ("prefix", "ref."), ("param", "x")}


def _scan_one(node: ast.AST) -> Iterator[tuple[str, str]]:
    if isinstance(node, ast.Call) and _called_name(node) == "log_action":
        argument = _action_argument(node, 0, "action")
        if argument is not None:
            yield from _names_in(argument)


@pytest.mark.django_db
def test_an_unknown_action_name_fails_in_tests_and_debug() -> None:
    with pytest.raises(actions.UnknownAuditAction, match=r"note\.signed"):
        log_action("note.signed")
    assert not AuditEvent.objects.filter(action="note.signed").exists()


@pytest.mark.django_db
def test_in_production_an_unknown_name_is_still_written(settings: Any) -> None:
    settings.OPENIOP_AUDIT_STRICT_ACTIONS = False
    log_action("note.signed")
    assert AuditEvent.objects.filter(action="note.signed").count() == 1


@pytest.mark.django_db
def test_an_app_registers_its_own_names_and_families(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "_KNOWN", set(actions._KNOWN))
    monkeypatch.setattr(actions, "_FAMILIES", set())
    actions.register_actions("newapp.create", "newapp.export.*")
    log_action("newapp.create")
    log_action("newapp.export.csv")
    with pytest.raises(actions.UnknownAuditAction):
        log_action("newapp.delete")
    assert "newapp.export.*" in actions.known_actions()
