"""`kubernetes_find`: resolve a name fragment to objects across namespaces and kinds.

Called through the registry (the agent and triage turn "the payment worker" into
`Deployment default/payment-processing-worker`). Lists each searched kind across namespaces
(in parallel, at most `max_items` each) and ranks names: exact > prefix > every word
contained > fuzzy (difflib ratio). Words split on spaces, dashes, underscores, dots and
slashes; matching is case-insensitive. Workloads rank above their pods at equal quality. With
no match, the closest names are listed. A kind the server does not serve is noted and skipped;
a listing the server failed (5xx, timeout, a bad body) fails the call, since a search over part
of the cluster cannot say that nothing matches.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.name_match import match_quality
from holmes.tools.kubernetes.arguments import OptionalNamespace
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.common import full_name, meta
from holmes.tools.kubernetes.related import quietly
from holmes.tools.kubernetes.resources import list_objects, resolve
from holmes.tools.kubernetes.summaries import status_summary

# Searched kinds in tie-break order: a workload is what the user usually means.
SEARCHED = (
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("v1", "Service"),
    ("v1", "Pod"),
    ("v1", "Node"),
    ("resource.k8s.io/v1", "ResourceClaim"),
)
_QUALITY = {4: "exact", 3: "prefix", 2: "all words", 1: "fuzzy"}


class FindInput(BaseModel):
    """Arguments of kubernetes_find."""

    name: str = Field(
        description="Name or name fragment as the user said it, e.g. 'payment worker'."
    )
    namespace: OptionalNamespace = Field(None, description="Only this namespace; empty for all.")
    limit: int = Field(10, ge=1, le=50, description="Most matches to return.")


class KubernetesFind(Tool):
    """Find objects by a name fragment."""

    name = "kubernetes_find"
    toolset = "kubernetes"
    description = (
        "Find Kubernetes objects whose name matches what the user said (e.g. 'llm gateway' "
        "finds Deployment serving/llm-gateway and its pods) across namespaces and kinds: "
        "deployments, statefulsets, daemonsets, cronjobs, jobs, services, pods, nodes, "
        "resourceclaims. Ranked exact > prefix > all words contained > fuzzy, with each "
        "match's kind, namespace/name and status. Use it first when a name is vague."
    )
    Input = FindInput

    async def run(self, args: FindInput, ctx: ToolContext) -> ToolOutput:
        """List the searched kinds, rank the names, render the best matches."""
        kube = session(ctx)
        limit = ctx.limits.max_items
        listed = await asyncio.gather(
            *(quietly(_list(kube, v, k, args.namespace, limit)) for v, k in SEARCHED)
        )
        candidates: list[tuple[str, dict[str, Any]]] = []
        notes = []
        for (_, kind), found in zip(SEARCHED, listed, strict=True):
            if isinstance(found, ToolFailure) and found.error.fault:
                # The API server failed, not the kind: "no match" would be a guess.
                raise found
            if isinstance(found, ToolFailure):
                notes.append(f"{kind}: not searched ({found.error.message})")
                continue
            items, more = found
            candidates += [(kind, item) for item in items]
            if more:
                notes.append(f"{kind}: only the first {limit} were searched")
        return _answer(args, candidates, notes, ctx.now())


async def _list(
    kube: KubeSession, api_version: str, kind: str, namespace: str | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    ref = await resolve(kube, api_version, kind)
    return await list_objects(kube, ref, namespace if ref.namespaced else None, limit=limit)


def _answer(
    args: FindInput, candidates: list[tuple[str, dict[str, Any]]], notes: list[str], now: datetime
) -> ToolOutput:
    order = {kind: rank for rank, (_, kind) in enumerate(SEARCHED)}
    scored = []
    for kind, obj in candidates:
        quality, similarity = match_quality(args.name, meta(obj).get("name", ""))
        scored.append((quality, similarity, kind, obj))
    matches = [s for s in scored if s[0] > 0]
    matches.sort(key=lambda s: (-s[0], order[s[2]], -s[1], full_name(s[3])))
    if not matches:
        closest = sorted(scored, key=lambda s: -s[1])[:5]
        names = ", ".join(f"{kind} {full_name(obj)}" for _, _, kind, obj in closest)
        text = f"no object name matches {args.name!r} ({len(candidates)} objects searched)"
        text += f"; closest names: {names}" if names else ""
        lines = [text, *notes]
        return ToolOutput(data={"matches": [], "closest": names}, text="\n".join(lines))
    shown = matches[: args.limit]
    lines = [f"{len(matches)} objects match {args.name!r} (best first):"]
    data = []
    for quality, _, kind, obj in shown:
        summary = status_summary(obj, now)
        lines.append(f"{kind} {full_name(obj)} [{_QUALITY[quality]}]: {summary}")
        data.append(
            {
                "kind": kind,
                "namespace": meta(obj).get("namespace"),
                "name": meta(obj).get("name"),
                "match": _QUALITY[quality],
                "status": summary,
            }
        )
    if len(matches) > len(shown):
        lines.append(f"{len(matches) - len(shown)} more matches not shown")
    return ToolOutput(data={"matches": data}, text="\n".join(lines + notes))
