"""The built-in runbook functions: every rule module's `FUNCTIONS` table, in one registry.

This is the one list of the modules whose functions runbooks may call (add a module here to
give runbooks its functions). `builtin_functions()` builds a fresh `FunctionRegistry` from
them; the engine builds one and hands it to the loader (which checks every call against it)
and to every evaluation. A name two modules claim fails here, naming both.

Called by the engine, `holmes runbooks check` and tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from holmes.agent.runbooks import (
    commands,
    expressions,
    functions_admission,
    functions_pods,
    functions_scheduling,
    kueue,
    log_lines,
)
from holmes.agent.runbooks.gpu import dra, scope, text, throttling, xids
from holmes.agent.runbooks.network import (
    dns,
    drops,
    evidence,
    policies,
    rules,
    selectors,
    upstream,
)
from holmes.agent.runbooks.network import scope as network_scope
from holmes.agent.runbooks.registry import FunctionRegistry

MODULES: tuple[ModuleType, ...] = (
    expressions,
    log_lines,
    commands,
    functions_pods,
    functions_admission,
    functions_scheduling,
    kueue,
    dra,
    scope,
    text,
    throttling,
    xids,
    evidence,
    network_scope,
    drops,
    dns,
    upstream,
    selectors,
    rules,
    policies,
)

# Names runbooks called before the functions were namespaced (old -> new): an unknown call
# of an old name is told its new one.
RENAMED: dict[str, str] = {}


def builtin_functions() -> FunctionRegistry:
    """A registry of every built-in function (see MODULES)."""
    registry = FunctionRegistry(renamed=RENAMED)
    for module in MODULES:
        table: Mapping[str, Callable[..., Any]] = module.FUNCTIONS
        registry.add_table(table, origin=module.__name__)
    return registry


__all__ = ["MODULES", "RENAMED", "builtin_functions"]
