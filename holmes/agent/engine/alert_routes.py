"""The alert-route table: where each known alert goes (a runbook, the sweep, or an explanation).

`holmes/runbooks/alerts/routes.yaml` lists every alert of kube-prometheus's default rules
(kubernetes-mixin, node-mixin, kube-state-metrics, the Prometheus, Alertmanager and
prometheus-operator mixins) and the common dcgm-exporter / gpu-operator alerts, each with its
route:

    <runbook id>  the runbook whose class the alert names: it ranks first (`ranking.rank`)
    sweep         the alert has many possible causes: the runbooks that list it are tried,
                  then the general evidence sweep; the answer says what the alert means
    explain       no runbook or sweep can judge it from the cluster's objects: when no finding
                  holds, the answer says what the alert means and what to check

The engine looks the alert up (`AlertRouteTable.find`); `holmes runbooks check` validates the
table against the loaded runbooks (`route_problems`); `holmes.cli.alert_docs` renders it as the
README's table.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from holmes.agent.engine.rules import BUILTIN, LoadedRunbook

ROUTES_FILE = BUILTIN / "alerts" / "routes.yaml"
GENERAL_ROUTES = ("sweep", "explain")
# libyaml's loader when the wheel has it: the table is ~1,000 lines, read once per process.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLACEHOLDER = re.compile(r"<([a-z_][a-z0-9_]*)>")


def fill_labels(text: str, labels: dict[str, str]) -> str:
    """`text` with each `<label>` replaced by the alert's value of it (kept when it has none)."""
    return _PLACEHOLDER.sub(lambda m: labels.get(m[1]) or m[0], text)


class AlertRoutesError(ValueError):
    """A route table that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AlertCheck(_Strict):
    """One thing to check, with the kubectl command or PromQL query that shows it.

    `<label>` in `kubectl` or `promql` is replaced by that label's value of the alert."""

    what: str
    kubectl: str | None = None
    promql: str | None = None

    def command(self, labels: dict[str, str]) -> str | None:
        """The command or query to run, with the alert's label values filled in."""
        text = self.kubectl or self.promql
        return None if text is None else fill_labels(text, labels)

    def fillable(self, labels: dict[str, str]) -> bool:
        """Whether `labels` fill every `<label>` of the command (or it has none)."""
        text = self.kubectl or self.promql or ""
        return all(labels.get(name) for name in _PLACEHOLDER.findall(text))


class AlertRoute(_Strict):
    """One alert and where it goes."""

    alert: str = Field(description="The alertname.")
    source: str = Field(description="The mixin or exporter that defines it, and its group.")
    labels: list[str] = Field(
        default_factory=list, description="The labels the rule sets that name its subject."
    )
    route: str = Field(description="A runbook id, `sweep` or `explain`.")
    meaning: str = ""
    check: list[AlertCheck] = Field(default_factory=list)

    @model_validator(mode="after")
    def _explained(self) -> AlertRoute:
        if self.route in GENERAL_ROUTES and not (self.meaning.strip() and self.check):
            raise ValueError(f"{self.alert}: route {self.route} needs a meaning and a check list")
        return self

    @property
    def kind(self) -> Literal["runbook", "sweep", "explain"]:
        """What the route is: a runbook, the general sweep, or an explanation."""
        if self.route == "sweep":
            return "sweep"
        if self.route == "explain":
            return "explain"
        return "runbook"

    @property
    def runbook(self) -> str | None:
        """The runbook id the alert routes to, if it routes to one."""
        return self.route if self.kind == "runbook" else None


class AlertRouteTable(_Strict):
    """Every listed alert, unique by name (case-insensitive, as ranking compares them)."""

    alerts: list[AlertRoute]

    @model_validator(mode="after")
    def _unique(self) -> AlertRouteTable:
        seen: set[str] = set()
        for route in self.alerts:
            if route.alert.lower() in seen:
                raise ValueError(f"alert {route.alert} is listed twice")
            seen.add(route.alert.lower())
        return self

    def find(self, alert_name: str) -> AlertRoute | None:
        """The route of `alert_name`, or None for an alert the table does not list."""
        wanted = alert_name.lower()
        return next((r for r in self.alerts if r.alert.lower() == wanted), None)


def load_alert_routes(path: Path = ROUTES_FILE) -> AlertRouteTable:
    """The route table of `path`, validated; `AlertRoutesError` names the file and field."""
    return _load(path.resolve())


@lru_cache(maxsize=4)
def _load(path: Path) -> AlertRouteTable:
    # Cached: engines are built per investigation in places, and the file does not change.
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        raise AlertRoutesError(f"{path}: not valid YAML: {error}") from None
    except OSError as error:
        raise AlertRoutesError(f"{path}: cannot be read: {error.strerror}") from None
    try:
        return AlertRouteTable.model_validate(raw)
    except ValidationError as invalid:
        problems = []
        for error in invalid.errors():
            loc = error["loc"]
            where = ".".join(str(p) for p in loc) or "file"
            where += _alert_named(raw, loc)
            problems.append(f"{where}: {error['msg']}")
        raise AlertRoutesError(f"{path}: " + "; ".join(problems)) from None


def _alert_named(raw: object, loc: tuple) -> str:
    """` (AlertName)` for an error inside `alerts[i]`, so the message names the alert."""
    if len(loc) < 2 or loc[0] != "alerts" or not isinstance(loc[1], int):
        return ""
    entry = raw.get("alerts", [])[loc[1]] if isinstance(raw, dict) else None
    return f" ({entry.get('alert', '?')})" if isinstance(entry, dict) else ""


def route_problems(table: AlertRouteTable, runbooks: list[LoadedRunbook]) -> list[str]:
    """What is wrong between the table and the runbooks: a route to a runbook that does not
    exist, or to one whose `match.alerts` does not list the alert (it would not rank)."""
    by_id = {loaded.runbook.id: loaded.runbook for loaded in runbooks}
    problems = []
    for route in table.alerts:
        runbook_id = route.runbook
        if runbook_id is None:
            continue
        runbook = by_id.get(runbook_id)
        if runbook is None:
            problems.append(f"{route.alert}: route {runbook_id!r} is no runbook, sweep or explain")
        elif route.alert.lower() not in {a.lower() for a in runbook.match.alerts}:
            problems.append(
                f"{route.alert}: routes to {runbook_id}, whose match.alerts does not list it"
            )
    return problems
