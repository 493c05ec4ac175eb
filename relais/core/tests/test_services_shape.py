"""Services are called by name and say who acts: every public function of a services module
takes keyword-only arguments, is named ``<entity>_<verb>``, and types its ``actor`` (or ``user``)
as a user, never ``Any`` (the house conventions, ``../shared/ARCHITECTURE.md``).

Read from the source, so a new services module is checked without anyone adding it here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import relais

ROOT = Path(relais.__file__).parent

# Reads, pure helpers and the scheduler's hooks that still live in a services module: they
# keep their positional arguments (and their names) until they move to the app's selectors.
NOT_SERVICES: dict[str, set[str]] = {
    "accounts/services.py": {"login_is_locked", "magic_link_peek", "totp_provisioning_uri"},
    "commissions/services/corrections.py": {"credited"},
    "commissions/services/gifts.py": {"available"},
    "commissions/services/lines.py": {"matching_rules", "active_rules", "history"},
    "commissions/services/plans.py": {"current_rules"},
    "commissions/services/rules.py": {"specificity", "rule_check", "conflicts"},
    "core/audit.py": {"mask", "snapshot", "diff", "acting_user", "audit_trail"},
    "leads/lifecycle.py": {"illegal_move"},
    "partners/services/contracts.py": {
        "template_warnings",
        "render",
        "current_template",
        "documents_for",
        "missing_documents",
    },
    # ``requeue_stalled(now)`` is the signature ``core.scheduling`` calls; ``run`` is a task's
    # body (``partners.tasks``).
    "partners/services/imports.py": {"guess_mapping", "requeue_stalled", "run"},
    "partners/services/notices.py": {"requeue_stalled"},
    "partners/services/portfolio.py": {"portfolio_summary"},
    "partners/services/status.py": {"allowed_moves"},
}
# An actor still typed ``Any``, in a module another change owns at the moment: none left.
ACTOR_ANY_PENDING: set[tuple[str, str]] = set()
PEOPLE = {"actor", "user"}


def _service_modules() -> list[Path]:
    found = [
        *ROOT.glob("*/services.py"),
        *ROOT.glob("*/services/*.py"),
        ROOT / "leads" / "lifecycle.py",
        ROOT / "core" / "audit.py",
    ]
    return sorted(p for p in found if p.parent.name != "testing" and p.name != "__init__.py")


def _public_functions(source: str) -> list[ast.FunctionDef]:
    return [
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def _misshapen(path: str, function: ast.FunctionDef) -> list[str]:
    """What is wrong with one function of a services module, for the failure's message."""
    where = f"{path}:{function.lineno} {function.name}"
    args = function.args
    wrong = []
    if function.name not in NOT_SERVICES.get(path, set()):
        positional = [a.arg for a in args.posonlyargs + args.args]
        if positional:
            wrong.append(f"{where}: {', '.join(positional)} must be keyword-only (after *,)")
        if "_" not in function.name:
            wrong.append(f"{where}: name it <entity>_<verb>")
    for arg in args.posonlyargs + args.args + args.kwonlyargs:
        untyped = arg.annotation is None or ast.unparse(arg.annotation) == "Any"
        if arg.arg in PEOPLE and untyped and (path, function.name) not in ACTOR_ANY_PENDING:
            wrong.append(f"{where}: type {arg.arg} as the user model (User | None), not Any")
    return wrong


def test_every_service_is_keyword_only_named_and_typed():
    wrong = [
        problem
        for module in _service_modules()
        for function in _public_functions(module.read_text(encoding="utf-8"))
        for problem in _misshapen(str(module.relative_to(ROOT)), function)
    ]
    assert wrong == []


def test_the_check_sees_a_positional_service_and_an_actor_typed_any():
    source = (
        "def accrue(occasion):\n    ...\n"
        "def line_hold(*, line: Line, actor: Any) -> None:\n    ...\n"
        "def lines_accrue(*, occasion: Occasion, actor: User | None) -> list[Line]:\n    ...\n"
    )
    found = [p for f in _public_functions(source) for p in _misshapen("x/services.py", f)]
    assert found == [
        "x/services.py:1 accrue: occasion must be keyword-only (after *,)",
        "x/services.py:1 accrue: name it <entity>_<verb>",
        "x/services.py:3 line_hold: type actor as the user model (User | None), not Any",
    ]
