"""Kubernetes label selectors: the API object (matchLabels, matchExpressions), the query string
the API server accepts (`a=b,tier in (x,y),!canary`), and matching as kube-apiserver does.

One model serves the tools (a workload's selector as a list query), the rules (a Service's or a
NetworkPolicy's selector against labels) and the replay API server (parsing `labelSelector`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SelectorError(ValueError):
    """A selector the API server would refuse; the message is the one it would send (400)."""


class LabelRequirement(BaseModel):
    """One matchExpressions entry: `key` `operator` (In, NotIn, Exists, DoesNotExist, Gt, Lt)."""

    model_config = ConfigDict(frozen=True)
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether an object with these labels satisfies the requirement."""
        present, value = self.key in labels, labels.get(self.key)
        if self.operator == "In":
            return present and value in self.values
        if self.operator == "NotIn":
            return not present or value not in self.values
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        if self.operator in ("Gt", "Lt") and self.values:
            try:  # Gt and Lt compare integers; a label that is not one never matches.
                number, bound = int(value or ""), int(self.values[0])
            except ValueError:
                return False
            return number > bound if self.operator == "Gt" else number < bound
        return False

    def query(self) -> str:
        """The requirement as a `labelSelector` query term."""
        values = ",".join(self.values)
        return {
            "In": f"{self.key} in ({values})",
            "NotIn": f"{self.key} notin ({values})",
            "Exists": self.key,
            "DoesNotExist": f"!{self.key}",
            "Gt": f"{self.key}>{values}",
            "Lt": f"{self.key}<{values}",
        }.get(self.operator, "")


class LabelSelector(BaseModel):
    """A LabelSelector API object; the empty selector selects everything."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)
    match_labels: dict[str, str] = Field(default_factory=dict, alias="matchLabels")
    match_expressions: tuple[LabelRequirement, ...] = Field(default=(), alias="matchExpressions")

    @classmethod
    def of(cls, raw: Any) -> LabelSelector:
        """A selector from its API object (null fields read as empty, values as strings)."""
        raw = raw if isinstance(raw, dict) else {}
        expressions = tuple(
            LabelRequirement(
                key=str(e.get("key", "")),
                operator=str(e.get("operator", "")),
                values=tuple(str(v) for v in e.get("values") or []),
            )
            for e in raw.get("matchExpressions") or []
            if isinstance(e, dict)
        )
        labels = {str(k): str(v) for k, v in (raw.get("matchLabels") or {}).items()}
        return cls(match_labels=labels, match_expressions=expressions)

    @classmethod
    def parse(cls, text: str) -> LabelSelector:
        """A `labelSelector` query value; raise `SelectorError` on syntax the server refuses."""
        return cls(match_expressions=tuple(_parse_terms(text)))

    def with_keys(self, rename: Callable[[str], str]) -> LabelSelector:
        """The same selector with every key passed through `rename` (e.g. a Cilium prefix cut)."""
        return LabelSelector(
            match_labels={rename(k): v for k, v in self.match_labels.items()},
            match_expressions=tuple(
                e.model_copy(update={"key": rename(e.key)}) for e in self.match_expressions
            ),
        )

    def requirements(self) -> tuple[LabelRequirement, ...]:
        """matchLabels as `In` requirements, then matchExpressions (the API server's order)."""
        labels = tuple(
            LabelRequirement(key=k, operator="In", values=(v,))
            for k, v in self.match_labels.items()
        )
        return labels + self.match_expressions

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with these labels is selected."""
        labels = labels or {}
        return all(requirement.matches(labels) for requirement in self.requirements())

    def query(self) -> str:
        """The selector as the `labelSelector` query string the API server accepts."""
        parts = [f"{k}={v}" for k, v in self.match_labels.items()]
        parts += [e.query() for e in self.match_expressions]
        return ",".join(part for part in parts if part)

    def text(self) -> str:
        """For people: `a=b,tier In (x,y)` ("" for the empty selector)."""
        parts = [f"{k}={v}" for k, v in self.match_labels.items()]
        for expression in self.match_expressions:
            values = ",".join(expression.values)
            parts.append(f"{expression.key} {expression.operator} ({values})".strip())
        return ",".join(parts)


_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_TERM = re.compile(
    rf"""\s*(?:
        (?P<not>!)\s*(?P<nkey>{_KEY})
      | (?P<skey>{_KEY})\s+(?P<set>in|notin)\s*\((?P<values>[^)]*)\)
      | (?P<key>{_KEY})\s*(?P<op>==|=|!=|>|<)\s*(?P<value>[-A-Za-z0-9_.]*)
      | (?P<ekey>{_KEY})
    )\s*(?:,|$)""",
    re.VERBOSE,
)
_OPERATORS = {"=": "In", "==": "In", "!=": "NotIn", ">": "Gt", "<": "Lt"}


def _parse_terms(text: str) -> list[LabelRequirement]:
    requirements: list[LabelRequirement] = []
    position, text = 0, text.strip()
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None or match.end() == position:
            raise SelectorError(
                f"unable to parse requirement: found '{text[position:]}', expected: a label "
                "selector term such as key=value, key in (a,b), key or !key"
            )
        position = match.end()
        if match["nkey"]:
            requirements.append(LabelRequirement(key=match["nkey"], operator="DoesNotExist"))
        elif match["skey"]:
            values = tuple(v.strip() for v in match["values"].split(",") if v.strip())
            operator = "In" if match["set"] == "in" else "NotIn"
            requirements.append(
                LabelRequirement(key=match["skey"], operator=operator, values=values)
            )
        elif match["key"]:
            operator = _OPERATORS[match["op"]]
            requirements.append(
                LabelRequirement(key=match["key"], operator=operator, values=(match["value"],))
            )
        else:
            requirements.append(LabelRequirement(key=match["ekey"], operator="Exists"))
    return requirements
