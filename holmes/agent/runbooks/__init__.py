"""Runbooks: their file format, CEL expressions and templates, and the loader.

`load_runbooks()` returns the built-in runbooks (`holmes/runbooks/*.yaml`) and those of any
folder a user adds, validated; `RunbookError` names the file and field of a bad one.
"""

from holmes.agent.runbooks.loader import (
    BUILTIN,
    LoadedRunbook,
    RunbookError,
    load_runbook,
    load_runbooks,
)
from holmes.agent.runbooks.schema import Finding, Runbook, Step

__all__ = [
    "BUILTIN",
    "Finding",
    "LoadedRunbook",
    "Runbook",
    "RunbookError",
    "Step",
    "load_runbook",
    "load_runbooks",
]
