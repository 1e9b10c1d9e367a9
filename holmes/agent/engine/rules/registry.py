"""The functions runbook expressions may call: an explicit registry, built once and passed on.

CEL's core has no string, Kubernetes, GPU or network helpers, so rule modules provide them as
plain Python functions, each listed in its module's `FUNCTIONS` table under the name runbooks
call it by: `k8s.` for pods, scheduling, admission, Kueue and DRA objects, `gpu.` for GPU
health, `net.` for Hubble flows and network policies, and no namespace for the core text and
list helpers (`lower`, `join`, `get`, `quantity`...). `builtin.py` collects the tables into a
`FunctionRegistry`; the loader checks every call of a runbook against it (an unknown name is an
error naming the file and field, with the nearest known name), and the engine evaluates with it.

    FunctionRegistry.add(name, function, origin)   refuses a name twice, naming both modules
    calls(source)                                  the function calls of a CEL source
    FunctionRegistry.unknown(source)               the calls no registered function answers
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# `ns.name` or `name`: lower_snake_case, at most one namespace.
_NAME = re.compile(r"^(?:[a-z][a-z0-9]*\.)?[a-z_][a-z0-9_]*$")
_STRING = re.compile(
    r"""[rRbB]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
)
_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
_CHAIN_LINK = re.compile(r"([A-Za-z_]\w*)\s*\.\s*$")
# What CEL itself answers (the interpreter's built-in functions, macros and methods).
CEL_FUNCTIONS = frozenset(
    {"size", "has", "int", "uint", "double", "string", "bytes", "type", "dyn", "duration"}
    | {"timestamp"}
)
CEL_METHODS = frozenset(
    {"size", "contains", "startsWith", "endsWith", "matches", "exists", "all", "map", "filter"}
    | {"exists_one", "orValue", "hasValue", "value", "or", "optMap", "optFlatMap"}
    | {"getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate", "getDayOfWeek"}
    | {"getHours", "getMinutes", "getSeconds", "getMilliseconds"}
)
CEL_NAMESPACES = frozenset({"optional"})


class FunctionConflict(ValueError):
    """A function name registered twice; the message names both modules."""


@dataclass(frozen=True)
class Call:
    """One call in a CEL source: `name` as written (`k8s.owner`, `lower`), and whether it is a
    method called on a value (`x.startsWith(...)`: `name` is then the method's)."""

    name: str
    method: bool


class FunctionRegistry:
    """Named functions for CEL expressions, with the module each came from."""

    def __init__(self, renamed: Mapping[str, str] | None = None) -> None:
        self._functions: dict[str, Callable[..., Any]] = {}
        self._origins: dict[str, str] = {}
        self._needed: dict[str, dict[str, Callable[..., Any]]] = {}
        # Old names of renamed functions (old -> new), for the suggestion an unknown call gets.
        self.renamed: dict[str, str] = dict(renamed or {})

    def add(self, name: str, function: Callable[..., Any], origin: str = "") -> None:
        """Register `function` as `name`; a name already taken raises FunctionConflict."""
        if not _NAME.match(name):
            raise ValueError(f"CEL function name {name!r} must be lower_snake_case (`ns.name`)")
        if name in self._functions:
            raise FunctionConflict(
                f"CEL function {name!r} of {origin or '?'} is already registered by "
                f"{self._origins[name] or '?'}"
            )
        self._functions[name] = function
        self._origins[name] = origin
        self._needed.clear()

    def add_table(self, table: Mapping[str, Callable[..., Any]], origin: str) -> None:
        """Register every function of a module's `FUNCTIONS` table."""
        for name, function in table.items():
            self.add(name, function, origin)

    def __contains__(self, name: object) -> bool:
        return name in self._functions

    def __len__(self) -> int:
        return len(self._functions)

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        return sorted(self._functions)

    def origin(self, name: str) -> str:
        """The module that registered `name`."""
        return self._origins[name]

    def function(self, name: str) -> Callable[..., Any]:
        """The function registered as `name` (KeyError when there is none)."""
        return self._functions[name]

    def namespaces(self) -> set[str]:
        """The namespaces of the registered names (`k8s`, `gpu`, `net`)."""
        return {name.split(".", 1)[0] for name in self._functions if "." in name}

    def for_source(self, source: str) -> dict[str, Callable[..., Any]]:
        """The functions a CEL source calls, by name: what its evaluation context needs.

        Handing CEL only these (not the whole table) makes each evaluation ~30 us cheaper.
        """
        needed = self._needed.get(source)
        if needed is None:
            found = calls(source, self.namespaces())
            needed = {c.name: self._functions[c.name] for c in found if c.name in self._functions}
            self._needed[source] = needed
        return needed

    def unknown(self, source: str) -> list[str]:
        """A problem for each call of `source` that neither CEL nor this registry answers,
        with the nearest known name as a suggestion."""
        problems = []
        for call in calls(source, self.namespaces()):
            if self._known(call):
                continue
            problem = f"unknown function {call.name!r}"
            suggestion = self.suggest(call.name)
            problems.append(f"{problem}; did you mean {suggestion!r}?" if suggestion else problem)
        return list(dict.fromkeys(problems))

    def _known(self, call: Call) -> bool:
        if call.method:
            return call.name in CEL_METHODS or call.name in self._functions
        if call.name.split(".", 1)[0] in CEL_NAMESPACES:
            return True
        return call.name in CEL_FUNCTIONS or call.name in self._functions

    def suggest(self, name: str) -> str | None:
        """The registered name `name` most likely means: its new name if it was renamed, else
        the closest spelling (also ignoring the namespace), else None."""
        if name in self.renamed and self.renamed[name] in self._functions:
            return self.renamed[name]
        bare = {known.split(".")[-1]: known for known in self._functions}
        tail = name.split(".")[-1]
        if tail in bare:
            return bare[tail]
        close = difflib.get_close_matches(name, self._functions, n=1, cutoff=0.75)
        if close:
            return close[0]
        close = difflib.get_close_matches(tail, bare, n=1, cutoff=0.75)
        return bare[close[0]] if close else None


@lru_cache(maxsize=4096)
def _calls(source: str, namespaces: frozenset[str]) -> tuple[Call, ...]:
    text = _STRING.sub(lambda quoted: '""', source)
    found: list[Call] = []
    for match in _CALL.finditer(text):
        chain = [match[1]]
        before = text[: match.start()]
        while link := _CHAIN_LINK.search(before):
            chain.insert(0, link[1])
            before = before[: link.start()]
        after_value = before.rstrip().endswith((".", ")", "]", "}"))
        if after_value and len(chain) == 1:
            found.append(Call(chain[0], method=True))
        elif len(chain) == 1:
            found.append(Call(chain[0], method=False))
        elif len(chain) == 2 and chain[0] in namespaces and not after_value:
            found.append(Call(".".join(chain), method=False))
        else:
            found.append(Call(chain[-1], method=True))
    return tuple(found)


def calls(source: str, namespaces: Iterable[str] = ()) -> list[Call]:
    """The function calls of a CEL source, strings skipped: `ns.f(` is a namespaced function
    when `ns` is one of `namespaces` (or CEL's `optional`), `x.f(` or `g(x).f(` a method, `f(`
    a function."""
    return list(_calls(source, frozenset(namespaces) | CEL_NAMESPACES))


__all__ = [
    "CEL_FUNCTIONS",
    "CEL_METHODS",
    "Call",
    "FunctionConflict",
    "FunctionRegistry",
    "calls",
]
