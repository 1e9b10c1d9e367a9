"""The runbook file format: pydantic models that validate `runbooks/*.yaml` at load time.

A runbook covers one problem class. `match` says when it applies (alert names, alert label
conditions, question keywords, symptoms that triage detected, a CEL condition over the
subject); `steps` say what evidence to gather (a tool and templated arguments, optionally for
each item of a CEL list); `definitions` name CEL values every finding may read (computed once,
after the steps); `findings` are ordered conditions over that evidence, each with the
root cause, explanation and remediation to report when it holds; `guidance` is for the LLM
agent. Expressions are CEL (`holmes/agent/engine/rules/expressions.py`); text fields are templates
whose `{{ ... }}` parts are CEL expressions.

Called by the loader (`loader.py`); the engine reads the validated models.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Confidence = Literal["high", "medium", "low"]

# The evidence triage gathers before any runbook step, citable by every finding (the engine
# hands them to expressions as `evidence.<name>`, and `pods`/`workloads`/`nodes` as variables).
TRIAGE_EVIDENCE = ("subject", "pods", "workloads", "nodes")
# The variables the engine binds (`item` inside a step): a definition may not hide one.
RESERVED_NAMES = ("question", "alert", "subject", "symptoms", "pods", "containers", "workloads")
RESERVED_NAMES += ("nodes", "evidence", "item")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_STEP_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Strict(BaseModel):
    """Unknown keys are errors: a misspelt `finding` must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Match(Strict):
    """When a runbook applies. Any signal ranks it; none means it is not considered."""

    alerts: list[str] = Field(default_factory=list, description="Alert names (alertname).")
    labels: dict[str, str] = Field(
        default_factory=dict, description="Alert labels: name -> regular expression."
    )
    keywords: list[str] = Field(
        default_factory=list, description="Regular expressions searched in the question."
    )
    symptoms: list[str] = Field(
        default_factory=list,
        description="Symptoms triage detects (waiting/terminated reasons, event reasons, ...).",
    )
    when: str | None = Field(None, description="CEL over `subject`, `alert`, `question`.")

    @field_validator("keywords")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            re.compile(pattern)
        return patterns

    @field_validator("labels")
    @classmethod
    def _compile_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for pattern in labels.values():
            re.compile(pattern)
        return labels


class Step(Strict):
    """One tool call (or one per item of `for_each`) whose results become evidence."""

    id: str = Field(description="Name the findings use: `evidence.<id>`.")
    tool: str
    args: dict[str, object] = Field(
        default_factory=dict, description="Arguments; string values are templates."
    )
    for_each: str | None = Field(
        None, description="CEL list; the step runs once per item, bound to `item`."
    )
    when: str | None = Field(None, description="CEL; the step is skipped when false.")
    limit: int = Field(4, ge=1, le=20, description="Most items of `for_each` to run.")

    @field_validator("id")
    @classmethod
    def _step_id(cls, value: str) -> str:
        if not _STEP_ID.match(value):
            raise ValueError(f"{value!r} must be lower_snake_case (it is a CEL name)")
        return value


class Remediation(Strict):
    """A remediation step; both fields are templates."""

    action: str
    command: str | None = None
    when: str | None = Field(None, description="CEL; the step is left out when false.")


class Claim(Strict):
    """A statement of the answer and the steps whose results support it."""

    text: str
    cite: list[str] = Field(default_factory=list, description="Step ids (or `subject`).")
    cite_ids: str | None = Field(
        None,
        description="CEL giving the exact evidence ids (e.g. `[oom[0].evidence_id]`), when a "
        "step's results are about several objects and the claim is about one.",
    )
    when: str | None = None


class NextSubject(Strict):
    """The object a finding blames, to investigate next (a causal chain's next hop).

    Either `kind`, `name` (and `namespace` for a namespaced kind) as templates, or
    `expression`: CEL giving a map with those keys, or a list of them (the first that
    resolves is followed). An empty name means there is no next subject.
    """

    kind: str | None = Field(None, description="Template: Deployment, Pod, Service, Node, ...")
    namespace: str | None = Field(None, description="Template; empty for cluster-scoped kinds.")
    name: str | None = Field(None, description="Template: the object's name.")
    expression: str | None = Field(
        None, description="CEL giving {kind, namespace, name} (or a list of them)."
    )
    when: str | None = Field(None, description="CEL; no next subject when false.")
    relation: str = Field(
        "",
        description="Template: how the next subject produces this finding, e.g. 'the upstream "
        "behind the 5xx'.",
    )

    @model_validator(mode="after")
    def _one_form(self) -> NextSubject:
        if self.expression is None and not (self.kind and self.name):
            raise ValueError("next needs `kind` and `name` (templates) or an `expression`")
        if self.expression is not None and (self.kind or self.name or self.namespace):
            raise ValueError("next takes either `expression` or `kind`/`namespace`/`name`")
        return self


class Finding(Strict):
    """A condition over the evidence and what to answer when it holds."""

    id: str
    let: dict[str, str] = Field(
        default_factory=dict,
        description="Named CEL values, evaluated in order; an error means the finding fails.",
    )
    when: str = Field(description="CEL; the finding holds when true.")
    root_cause: str
    summary: str | None = Field(
        None, description="One line for the heading; default: the root cause's first clause."
    )
    explanation: str = ""
    claims: list[Claim] = Field(default_factory=list)
    remediation: list[Remediation] = Field(default_factory=list)
    confidence: Confidence = "high"
    cite: list[str] = Field(
        default_factory=list, description="Step ids behind the root cause claim."
    )
    next: NextSubject | None = Field(
        None,
        description="The object this finding blames, investigated next with the same triage "
        "and runbooks (a causal chain, at most 3 subjects deep).",
    )


class Runbook(Strict):
    """One problem class: when it applies, what to gather, how to judge, what to do."""

    id: str
    title: str
    description: str = ""
    match: Match = Field(default_factory=Match)
    steps: list[Step] = Field(default_factory=list)
    definitions: dict[str, str] = Field(
        default_factory=dict,
        description="Named CEL values shared by every step and finding (like a finding's `let`, "
        "but once per runbook), evaluated in order once the evidence they read is gathered; one "
        "that fails is left undefined, so only the expressions that read it fail.",
    )
    findings: list[Finding] = Field(min_length=1)
    guidance: str = ""
    priority: int = Field(
        50, ge=0, le=100, description="Breaks ties between runbooks whose findings hold."
    )

    @field_validator("id")
    @classmethod
    def _runbook_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{value!r} must be lower-case words joined by dashes")
        return value

    @field_validator("definitions")
    @classmethod
    def _definition_names(cls, definitions: dict[str, str]) -> dict[str, str]:
        for name in definitions:
            if not _STEP_ID.match(name):
                raise ValueError(f"{name!r} must be lower_snake_case (it is a CEL name)")
            if name in RESERVED_NAMES:
                raise ValueError(f"{name!r} would hide the variable of that name; rename it")
        return definitions

    @model_validator(mode="after")
    def _let_does_not_hide_a_definition(self) -> Runbook:
        for i, finding in enumerate(self.findings):
            for name in finding.let:
                if name in self.definitions:
                    raise ValueError(
                        f"findings[{i}] ({finding.id}).let.{name}: also a definition of the "
                        "runbook; rename one"
                    )
        return self

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: list[Step]) -> list[Step]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            seen.add(step.id)
        return steps
