"""The runbook engine: a question or an alert in, a `Diagnosis` out, with no LLM.

    intake -> triage (subject, symptoms) -> rank runbooks -> gather their steps (in parallel)
           -> judge their findings -> answer (or, when none holds, sweep the evidence no
           runbook reads (`sweep.py`) -> a low/medium-confidence finding, or say that the
           evidence shows no fault)

Runbooks that the signals point at are tried first; when none of their findings holds, the
others are tried too (a vague question still reaches a GPU fault the words did not name). The
answer cites evidence ids for every claim, lists what was checked and which sources failed
(and what they left unchecked: `degraded.py`), and reports its cost. Called by `holmes ask`,
the eval runner, the server, and the LLM agent (which starts from this evidence and these
findings).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from holmes.agent.engine.abstain import abstain
from holmes.agent.engine.alert_explain import explain_alert
from holmes.agent.engine.alert_routes import AlertRoute, AlertRouteTable, load_alert_routes
from holmes.agent.engine.chain import Link, chained, first_subject, follow
from holmes.agent.engine.degraded import (
    failed_sources,
    note_unchecked,
    short_title,
    sources_unavailable,
)
from holmes.agent.engine.diagnosis import Cost, Diagnosis
from holmes.agent.engine.direct import answer_directly
from holmes.agent.engine.findings import Verdict, judge, write
from holmes.agent.engine.frame import frame
from holmes.agent.engine.gather import CallListener, Gatherer
from holmes.agent.engine.injection import injection_notes
from holmes.agent.engine.intake import InvestigationRequest
from holmes.agent.engine.questions import direct_question
from holmes.agent.engine.ranking import Ranked, rank
from holmes.agent.engine.rules import (
    FunctionRegistry,
    LoadedRunbook,
    builtin_functions,
    load_runbooks,
)
from holmes.agent.engine.rules.expressions import plain
from holmes.agent.engine.steps import run_steps
from holmes.agent.engine.suspects import check_suspects
from holmes.agent.engine.sweep import should_sweep, subject_name, sweep_evidence
from holmes.agent.engine.sweep_answer import answer_with_sweep
from holmes.agent.engine.triage import Triage, triage
from holmes.agent.engine.variables import base_variables, question_text
from holmes.tools import (
    CheckedCall,
    ToolContext,
    ToolRegistry,
    default_registry,
    probe_sources,
)

_CONFIDENCE = {"high": 3, "medium": 2, "low": 1}


@dataclass
class Investigation:
    """Everything one run of the engine produced: the answer and what it was built from."""

    diagnosis: Diagnosis
    triage: Triage
    ranked: list[Ranked]
    verdicts: list[Verdict] = field(default_factory=list)
    gatherer: Gatherer | None = None
    notes: list[str] = field(default_factory=list)
    alert_route: AlertRoute | None = None  # the alert's entry in the alert-route table


class RunbookEngine:
    """Investigates with the runbooks; holds the tool registry, the functions runbook
    expressions call (default: the built-in ones) and the loaded runbooks."""

    def __init__(
        self,
        registry: ToolRegistry | None = None,
        runbooks: list[LoadedRunbook] | None = None,
        functions: FunctionRegistry | None = None,
        alert_routes: AlertRouteTable | None = None,
    ) -> None:
        self.registry = registry or default_registry()
        self.functions = functions if functions is not None else builtin_functions()
        self.runbooks = (
            runbooks
            if runbooks is not None
            else load_runbooks(
                tools=[t.name for t in self.registry.tools()], functions=self.functions
            )
        )
        self.alert_routes = alert_routes or load_alert_routes()

    async def diagnose(
        self,
        request: InvestigationRequest,
        ctx: ToolContext,
        on_call: CallListener | None = None,
    ) -> Diagnosis:
        """The diagnosis of `request` (see `investigate` for the whole record)."""
        return (await self.investigate(request, ctx, on_call)).diagnosis

    async def investigate(
        self,
        request: InvestigationRequest,
        ctx: ToolContext,
        on_call: CallListener | None = None,
        gatherer: Gatherer | None = None,
    ) -> Investigation:
        """Run triage, the runbooks and the findings; never raises for a source's failure.

        A `gatherer` passed in (the LLM agent's) is used, so later calls share its cache. The
        sources are probed meanwhile, so that a dead one is known after one timeout, not one
        per stage (`holmes.tools.probe`).
        """
        probing = asyncio.ensure_future(probe_sources(ctx))
        try:
            return await self._investigate(request, ctx, on_call, gatherer)
        finally:
            probing.cancel()

    async def _investigate(
        self,
        request: InvestigationRequest,
        ctx: ToolContext,
        on_call: CallListener | None,
        gatherer: Gatherer | None,
    ) -> Investigation:
        started = time.perf_counter()
        gatherer = gatherer or Gatherer(self.registry, ctx, on_call=on_call)
        triaged = await triage(request, gatherer)
        # A question asking for data (logs, not-ready pods, changes) is answered from the
        # tools, not judged by the runbooks (`questions.py`, `direct.py`).
        asked = direct_question(request.question) if request.alert is None else None
        direct = await answer_directly(asked, triaged, gatherer) if asked else None
        if direct is not None:
            direct.sources_unavailable = sources_unavailable(
                ctx.health, _unlisted(triaged, gatherer)
            )
            return self._finish(direct, triaged, [], [], gatherer, [], started)
        variables, route, ranked = self.rank_for(request, triaged)
        text = question_text(request)
        notes: list[str] = []
        unchecked = _unlisted(triaged, gatherer)
        signalled = [r for r in ranked if r.score > 0]
        verdicts = await self._try(signalled, variables, gatherer, notes, unchecked)
        if not verdicts:
            rest = [r for r in ranked if r.score == 0]
            verdicts = await self._try(rest, variables, gatherer, notes, unchecked)
        verdicts = _best_first(verdicts, ranked)
        links: list[Link] = []
        if verdicts:
            links = await follow(
                verdicts[0],
                first_subject(triaged),
                lambda hop, used: self._hop(hop, gatherer, (notes, unchecked), text, used),
                lambda: len(gatherer.results),
                notes,
            )
        await check_suspects(request, triaged, gatherer)
        if verdicts:
            diagnosis = _answer(verdicts[0], ranked, verdicts[1:], self.functions)
            diagnosis = chained(diagnosis, links)
            diagnosis.sources_unavailable = sources_unavailable(ctx.health, unchecked)
            note_unchecked(diagnosis)
        else:
            diagnosis = await self._no_finding(request, triaged, gatherer, unchecked, route)
        frame(diagnosis, request, triaged, verdicts, gatherer.results, ctx.now())
        return self._finish(diagnosis, triaged, ranked, verdicts, gatherer, notes, started, route)

    async def _no_finding(
        self,
        request: InvestigationRequest,
        triaged: Triage,
        gatherer: Gatherer,
        unchecked: dict[str, list[str]],
        route: AlertRoute | None,
    ) -> Diagnosis:
        """No runbook finding holds: sweep the evidence no runbook reads (logs of every
        container, throttling, autoscalers, recent changes; `sweep.py`), then abstain or answer
        from the sweep, with the alert's meaning and checks when the route table has them."""
        swept = await sweep_evidence(request, triaged, gatherer) if should_sweep(triaged) else None
        unavailable = sources_unavailable(gatherer.ctx.health, unchecked)
        diagnosis = abstain(request, triaged, unavailable)
        diagnosis = answer_with_sweep(swept, diagnosis, subject_name(triaged.subject))
        if diagnosis.fault_found and swept is not None and swept.symptoms:
            note_unchecked(diagnosis)
        if route is not None and request.alert is not None:
            await explain_alert(diagnosis, route, request.alert.labels, gatherer)
        return diagnosis

    def _finish(
        self,
        diagnosis: Diagnosis,
        triaged: Triage,
        ranked: list[Ranked],
        verdicts: list[Verdict],
        gatherer: Gatherer,
        notes: list[str],
        started: float,
        route: AlertRoute | None = None,
    ) -> Investigation:
        """The answer's record of what was checked, noted, flagged and spent."""
        in_order = sorted(gatherer.results, key=lambda r: int(r.evidence_id.lstrip("E")))
        diagnosis.calls = [CheckedCall.of(r) for r in in_order]
        diagnosis.checked = [call.text() for call in diagnosis.calls]
        diagnosis.notes += triaged.notes + notes
        diagnosis.warnings += injection_notes(gatherer.flagged)
        diagnosis.cost = Cost(
            tool_calls=len(gatherer.results), seconds=round(time.perf_counter() - started, 3)
        )
        return Investigation(diagnosis, triaged, ranked, verdicts, gatherer, notes, route)

    async def plan(
        self, request: InvestigationRequest, gatherer: Gatherer
    ) -> tuple[Triage, dict[str, Any], AlertRoute | None, list[Ranked]]:
        """Triage `request`, look its alert up in the route table, and rank the runbooks."""
        triaged = await triage(request, gatherer)
        return (triaged, *self.rank_for(request, triaged))

    def rank_for(
        self, request: InvestigationRequest, triaged: Triage
    ) -> tuple[dict[str, Any], AlertRoute | None, list[Ranked]]:
        """The rules' variables, the alert's route and the runbooks ranked for `triaged`."""
        variables = base_variables(request, triaged)
        alert = request.alert
        text = question_text(request)
        route = self.alert_routes.find(alert.name) if alert and alert.name else None
        ranked = rank(
            self.runbooks,
            alert_name=alert.name if alert else "",
            alert_labels=alert.labels if alert else {},
            text=text,
            symptoms=triaged.symptoms,
            variables=variables,
            functions=self.functions,
            routed=route.runbook if route else None,
        )
        return variables, route, ranked

    async def _hop(
        self,
        request: InvestigationRequest,
        gatherer: Gatherer,
        into: tuple[list[str], dict[str, list[str]]],
        asked: str,
        used: set[tuple[str, str]],
    ) -> tuple[Triage, list[Verdict]]:
        """Triage and the runbooks over one next subject of a causal chain (`chain.follow`):
        the runbooks its symptoms point at; the surest verdict first, none
        of the findings already `used` by the chain. Its findings read the original question
        (`asked`): the hop answers the same one."""
        notes, unchecked = into
        triaged = await triage(request, gatherer)
        variables = {**base_variables(request, triaged), **plain({"question": asked})}
        labels = request.alert.labels if request.alert else {}
        ranked = rank(
            self.runbooks,
            alert_name="",
            alert_labels=labels,
            text="",
            symptoms=triaged.symptoms,
            variables=variables,
            functions=self.functions,
        )
        # Only the runbooks the hop's signals point at: trying every runbook on every hop
        # would cost more than the first hop, and a hop with no signal has no visible fault.
        signalled = [r for r in ranked if r.score > 0]
        verdicts = await self._try(signalled, variables, gatherer, notes, unchecked)
        verdicts = [v for v in verdicts if (v.runbook.id, v.finding.id) not in used]
        return triaged, _best_first(verdicts, ranked)

    async def _try(
        self,
        ranked: list[Ranked],
        variables: dict[str, Any],
        gatherer: Gatherer,
        notes: list[str],
        unchecked: dict[str, list[str]],
    ) -> list[Verdict]:
        """The verdicts of `ranked`; `unchecked` gets, per failed source, the runbooks whose
        evidence it withheld."""
        # Each runbook keeps its own notes, joined in rank order: the answer reads the same
        # whichever runbook's tool calls happened to finish first.
        own: list[list[str]] = [[] for _ in ranked]
        withheld: list[set[str]] = [set() for _ in ranked]

        async def one(candidate: Ranked, into: list[str], failed: set[str]) -> Verdict | None:
            runbook = candidate.loaded.runbook
            evidence = await run_steps(runbook, variables, gatherer, into, self.functions)
            ids = [item["id"] for items in evidence.values() for item in items]
            failed |= failed_sources(r for i in ids if (r := gatherer.by_id(i)) is not None)
            scope = {**variables, "evidence": {**variables["evidence"], **plain(evidence)}}
            return judge(runbook, scope, into, self.functions)

        found = await asyncio.gather(
            *(one(c, into, f) for c, into, f in zip(ranked, own, withheld, strict=True))
        )
        notes += [note for group in own for note in group]
        for candidate, failed in zip(ranked, withheld, strict=True):
            for source in sorted(failed):
                unchecked.setdefault(source, []).append(short_title(candidate.loaded.runbook))
        return [verdict for verdict in found if verdict is not None]


def _best_first(verdicts: list[Verdict], ranked: list[Ranked]) -> list[Verdict]:
    """Of the findings that hold: the surest; then the more specific runbook (priority: a
    generic crash-loop explanation yields to a CUDA OOM or an Xid); then the signals."""
    scores = {r.id: r.score for r in ranked}
    return sorted(
        verdicts,
        key=lambda v: (
            -_CONFIDENCE[v.finding.confidence],
            -v.runbook.priority,
            -scores.get(v.runbook.id, 0),
        ),
    )


def _answer(
    verdict: Verdict, ranked: list[Ranked], others: list[Verdict], functions: FunctionRegistry
) -> Diagnosis:
    chosen = next(r for r in ranked if r.id == verdict.runbook.id)
    fields = write(verdict, functions)
    notes = [f"runbook {chosen.id} chosen: " + ("; ".join(chosen.reasons) or "its finding held")]
    notes += [f"also held: {other.runbook.id}/{other.finding.id}" for other in others[:3]]
    return Diagnosis(
        runbook_id=verdict.runbook.id,
        fault_found=True,
        notes=notes,
        **fields,
    )


def _unlisted(triaged: Triage, gatherer: Gatherer) -> dict[str, list[str]]:
    """The kinds triage could not list because the Kubernetes API failed (source -> what)."""
    unlisted: dict[str, list[str]] = {}
    for row in triaged.listing:
        result = gatherer.by_id(row["id"])
        if result is not None and result.error is not None and result.error.fault:
            args = row["args"]
            what = (
                f"the lookup of {', '.join(args['names'])} in every kind"
                if "names" in args
                else f"the {args.get('kind', 'object')} list"
            )
            unlisted.setdefault(result.error.source, []).append(what)
    return unlisted
