"""`kubernetes_autoscalers`: the HorizontalPodAutoscalers and KEDA ScaledObjects of a namespace
(or of one workload), as typed facts: bounds, replicas, metrics, unhealthy conditions.

Called through the registry by the evidence sweep and the LLM agent. HPAs are read as
autoscaling/v2 (the version that reports every metric and condition); ScaledObjects as
keda.sh/v1alpha1 when the cluster serves KEDA (a cluster without KEDA is not an error: the text
says it is not installed). Facts come from `facts.autoscaling`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from pydantic import BaseModel, Field

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.facts.autoscaling import (
    AutoscalerFacts,
    hpa_facts,
    scaled_object_facts,
    summary,
)
from holmes.tools.kubernetes.arguments import Namespace, OptionalKind, check_subdomain
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.resources import list_objects, resolve

_KEDA = "keda.sh/v1alpha1"


class AutoscalersInput(BaseModel):
    """Arguments of kubernetes_autoscalers."""

    namespace: Namespace = Field(description="Namespace of the autoscalers.")
    target_kind: OptionalKind = Field(
        None, description="Only those scaling this kind, e.g. Deployment (optional)."
    )
    target_name: Annotated[str | None, check_subdomain("workload name")] = Field(
        None, description="Only those scaling the workload of this name (optional)."
    )


class KubernetesAutoscalers(Tool):
    """HPAs and KEDA ScaledObjects with their state."""

    name = "kubernetes_autoscalers"
    toolset = "kubernetes"
    description = (
        "List the HorizontalPodAutoscalers (autoscaling/v2) and KEDA ScaledObjects of a "
        "namespace, or only those scaling one workload: min/max/current/desired replicas, "
        "whether it is at its maximum or wants more, its metrics against their targets, and "
        "unhealthy conditions (ScalingActive=False with FailedGetResourceMetric: metrics "
        "unavailable; ScalingLimited=True: capped)."
    )
    Input = AutoscalersInput

    async def run(self, args: AutoscalersInput, ctx: ToolContext) -> ToolOutput:
        """Read both kinds in parallel and keep those scaling the target."""
        kube = session(ctx)
        hpas, keda = await asyncio.gather(
            _list(kube, "autoscaling/v2", "HorizontalPodAutoscaler", args.namespace, ctx),
            _list(kube, _KEDA, "ScaledObject", args.namespace, ctx),
        )
        hpa_list = [hpa_facts(obj) for obj in hpas or []]
        found = hpa_list + [scaled_object_facts(obj, hpa_list) for obj in keda or []]
        driven = {f.hpa_name for f in found if f.hpa_name}
        found = [f for f in found if f.name not in driven and _targets(f, args)]
        target = f" scaling {args.target_kind or 'workload'} {args.target_name}"
        where = f"namespace {args.namespace}" + (target if args.target_name else "")
        lines = [f"{len(found)} autoscaler(s) in {where}" + (":" if found else "")]
        lines += [f"- {summary(f)}" for f in found]
        if keda is None:
            lines.append("(KEDA is not installed: no ScaledObjects are served)")
        data = {"autoscalers": [f.model_dump() for f in found], "keda_served": keda is not None}
        return ToolOutput(data=data, text="\n".join(lines))


def _targets(facts: AutoscalerFacts, args: AutoscalersInput) -> bool:
    if args.target_name and facts.target_name != args.target_name:
        return False
    return not args.target_kind or facts.target_kind.lower() == args.target_kind.lower()


async def _list(
    kube: KubeSession, api_version: str, kind: str, namespace: str, ctx: ToolContext
) -> list[dict[str, Any]] | None:
    """The objects of a kind in the namespace; None when the cluster does not serve the kind."""
    try:
        ref = await resolve(kube, api_version, kind)
    except ToolFailure as failure:
        if failure.error.kind == "not_found":
            return None
        raise
    items, _ = await list_objects(kube, ref, namespace, limit=ctx.limits.max_items)
    return items
