"""Runbooks: their file format, CEL expressions and templates, the functions they call, and
the loader.

`load_runbooks()` returns the built-in runbooks (`holmes/runbooks/*.yaml`) and those of any
folder a user adds, validated against a `FunctionRegistry` (`builtin_functions()` by default);
`RunbookError` names the file and field of a bad one.
"""

from holmes.agent.engine.rules.builtin import builtin_functions
from holmes.agent.engine.rules.loader import (
    BUILTIN,
    LoadedRunbook,
    RunbookError,
    load_runbook,
    load_runbooks,
)
from holmes.agent.engine.rules.registry import FunctionConflict, FunctionRegistry
from holmes.agent.engine.rules.schema import Finding, Runbook, Step

__all__ = [
    "BUILTIN",
    "Finding",
    "FunctionConflict",
    "FunctionRegistry",
    "LoadedRunbook",
    "Runbook",
    "RunbookError",
    "Step",
    "builtin_functions",
    "load_runbook",
    "load_runbooks",
]
