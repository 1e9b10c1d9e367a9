"""The CEL environment of DRA selectors: Kubernetes' CEL libraries over the `device` variable.

Kubernetes evaluates DeviceClass and request selectors with cel-go plus its own libraries
(k8s.io/dynamic-resource-allocation/cel): the strings extension (`lowerAscii`, `upperAscii`,
`split`, `join`, `replace`, `indexOf`, `lastIndexOf`, `substring`, `trim`, `charAt`...), the
sets and lists libraries (`sets.contains`, `isSorted`, `sum`, `min`, `max`, list `indexOf`),
`quantity()` (k8s.io/apiserver/pkg/cel/library/quantity.go), `semver()` (semverlib.go) and the
regex library's `find`/`findAll` (regex.go).
The strings, sets, math and list functions come from the `cel.stdlib` module of the
common-expression-language package; quantity and semver are defined here, with the methods and
results Kubernetes documents (`quantity("200M").compareTo(quantity("0.2G")) == 0`,
`semver("1.2.3").isGreaterThan(semver("1.2.0"))`).

Quantity and semver values are CEL maps tagged by one key (`{"__quantity__": "2E+8"}`): the
Python binding carries only CEL's own types, and a tagged map keeps `==` meaningful (equal
quantities have the same canonical text) while `<` on them fails, as on Kubernetes' opaque
types. Device `version` attributes are semver values and capacities quantities, as there.
"""

from __future__ import annotations

import functools
import logging
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import cel
import semver
from cel.stdlib import add_stdlib_to_context

# The binding logs each failing Python function at WARNING; the failure is reported in the
# answer instead (CelError), so those records would only repeat it on stderr.
logging.getLogger("cel").addFilter(
    lambda record: not record.getMessage().startswith("Python function ")
)

QUANTITY = "__quantity__"
SEMVER = "__semver__"

# Kubernetes' quantity grammar: a signed decimal number with an optional suffix.
_QUANTITY_SYNTAX = re.compile(
    r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$"
)


def _decimal(text: Any) -> Decimal:
    from kubernetes.utils import parse_quantity

    if not isinstance(text, str) or not _QUANTITY_SYNTAX.match(text.strip()):
        raise ValueError(f"quantities must match the regular expression: {text!r} is not one")
    return Decimal(parse_quantity(text.strip()))


def _as_quantity(number: Decimal) -> dict[str, str]:
    return {QUANTITY: format(number.normalize(), "E") if number else "0"}


def _quantity_value(value: Any) -> Decimal:
    if isinstance(value, dict) and QUANTITY in value:
        return Decimal(value[QUANTITY])
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"no such overload: expected a quantity, got {type(value).__name__}")


def quantity(text: Any) -> dict[str, str]:
    """`quantity("1Gi")`: a Kubernetes resource quantity."""
    return _as_quantity(_decimal(text))


def is_quantity(text: Any) -> bool:
    """`isQuantity("1.3G")`: whether the string parses as a quantity."""
    try:
        _decimal(text)
    except (ValueError, InvalidOperation):
        return False
    return True


def _semver(text: Any, normalize: bool = False) -> semver.Version:
    if not isinstance(text, str):
        raise TypeError(f"no such overload: semver() of {type(text).__name__}")
    value = text
    if normalize:  # Kubernetes: drop a leading v, pad missing minor/patch, strip leading zeros
        match = re.match(r"^(\d+(?:\.\d+)*)(.*)$", value.removeprefix("v"))
        if match:
            parts = [str(int(part)) for part in match.group(1).split(".")]
            value = ".".join(parts + ["0"] * (3 - len(parts))) + match.group(2)
    try:
        return semver.Version.parse(value)
    except (ValueError, TypeError):
        raise ValueError(f"invalid semver {text!r}: a version is MAJOR.MINOR.PATCH") from None


def semver_of(text: Any, normalize: bool = False) -> dict[str, str]:
    """`semver("1.2.3")`: a semantic version (strict unless `normalize` is true)."""
    if not isinstance(text, str):
        raise TypeError(f"no such overload: semver() of {type(text).__name__}")
    return {SEMVER: _canonical_semver(text, bool(normalize))}


@functools.lru_cache(maxsize=1024)
def _canonical_semver(text: str, normalize: bool) -> str:
    # Every device of a slice repeats the same driver and CUDA versions: parse each once.
    return str(_semver(text, normalize))


def is_semver(text: Any, normalize: bool = False) -> bool:
    """`isSemver("1.2.3")`: whether the string is a semantic version."""
    try:
        _semver(text, normalize)
    except (ValueError, TypeError):
        return False
    return True


def _version_value(value: Any) -> semver.Version:
    if isinstance(value, dict) and SEMVER in value:
        return semver.Version.parse(value[SEMVER])
    raise TypeError(f"no such overload: expected a semver, got {type(value).__name__}")


def compare_to(left: Any, right: Any) -> int:
    """`a.compareTo(b)`: -1, 0 or 1, for two quantities or two semvers."""
    if isinstance(left, dict) and SEMVER in left:
        return _version_value(left).compare(_version_value(right))
    a, b = _quantity_value(left), _quantity_value(right)
    return (a > b) - (a < b)


def _integer(value: Any) -> int:
    number = _quantity_value(value)
    if number != number.to_integral_value():
        raise ValueError(f"cannot convert value to integer: {number} is not an integer")
    result = int(number)
    if not -(2**63) <= result < 2**63:
        raise OverflowError("cannot convert value to integer: out of int64 range")
    return result


def _arithmetic(sign: int) -> Any:
    def apply(left: Any, right: Any) -> dict[str, str]:
        return _as_quantity(_quantity_value(left) + sign * _quantity_value(right))

    return apply


def _version_part(index: int) -> Any:
    return lambda value: _version_value(value).to_tuple()[index]


def _index_of(target: Any, item: Any, *offset: Any) -> int:
    """Strings: cel-go's `indexOf`; lists: Kubernetes' lists library `indexOf`."""
    if isinstance(target, list):
        return next((i for i, x in enumerate(target) if x == item and type(x) is type(item)), -1)
    from cel.stdlib import index_of

    return int(index_of(target, item, *offset))


def _last_index_of(target: Any, item: Any, *offset: Any) -> int:
    if isinstance(target, list):
        found = [i for i, x in enumerate(target) if x == item and type(x) is type(item)]
        return found[-1] if found else -1
    from cel.stdlib import last_index_of

    return int(last_index_of(target, item, *offset))


def _find(text: str, pattern: str) -> str:
    """Kubernetes' regex library: the first match, "" when none."""
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    """Kubernetes' regex library: every match (at most `limit` when it is not negative)."""
    found = [match.group(0) for match in re.finditer(pattern, text)]
    return found if limit < 0 else found[:limit]


def _is_sorted(items: Any) -> bool:
    return all(items[i] <= items[i + 1] for i in range(len(items) - 1))


KUBERNETES_FUNCTIONS: dict[str, Any] = {
    "quantity": quantity,
    "isQuantity": is_quantity,
    "semver": semver_of,
    "isSemver": is_semver,
    "compareTo": compare_to,
    "isGreaterThan": lambda a, b: compare_to(a, b) > 0,
    "isLessThan": lambda a, b: compare_to(a, b) < 0,
    "major": _version_part(0),
    "minor": _version_part(1),
    "patch": _version_part(2),
    "sign": lambda q: (lambda n: (n > 0) - (n < 0))(_quantity_value(q)),
    "isInteger": lambda q: _quantity_value(q) == _quantity_value(q).to_integral_value(),
    "asInteger": _integer,
    "asApproximateFloat": lambda q: float(_quantity_value(q)),
    "add": _arithmetic(1),
    "sub": _arithmetic(-1),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "isSorted": _is_sorted,
    "find": _find,
    "findAll": _find_all,
}


def context(variables: dict[str, Any]) -> cel.Context:
    """A CEL context with Kubernetes' libraries and these variables."""
    ctx = cel.Context(variables=variables)
    add_stdlib_to_context(ctx)
    for name, function in KUBERNETES_FUNCTIONS.items():
        ctx.add_function(name, function)
    return ctx


@functools.lru_cache(maxsize=512)
def compiled(expression: str) -> cel.Program:
    """The compiled program of an expression (ValueError naming the syntax error)."""
    return cel.compile(expression)


def evaluate(expression: str, variables: dict[str, Any]) -> Any:
    """The value of `expression` over `variables`; raises `CelError` with the reason."""
    return run(expression, context(variables))


def run(expression: str, ctx: cel.Context) -> Any:
    """The value of `expression` in a context made by `context` (reusable across expressions);
    raises `CelError` with the reason."""
    try:
        return compiled(expression).execute(ctx)
    except (ValueError, RuntimeError, TypeError, KeyError, IndexError) as error:
        raise CelError(expression, _reason(error)) from None


class CelError(Exception):
    """A CEL expression that failed to compile or to evaluate."""

    def __init__(self, expression: str, reason: str) -> None:
        super().__init__(f"{expression}: {reason}")
        self.expression = expression
        self.reason = reason


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"no such key: {error.args[0] if error.args else ''}"
    text = str(error).split(". Check ")[0]
    text = text.replace("Python function call failed: ", "")
    text = re.sub(r"^Function '[\w.]+' error: (\w+Error: )?", "", text)
    return " ".join(text.split())[:300]
