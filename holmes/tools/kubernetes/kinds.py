"""`kubernetes_kinds`: every kind the cluster serves and the words that name it (api-resources).

Called by triage (to read `deploy/web`, `isvc/llama-chat`, `rayjob.ray.io/train`, "the
PyTorchJob sft" with the cluster's own vocabulary rather than a hand list) and by the agent.
It is discovery, as `kubectl api-resources` prints it: kind, plural, `singularName`,
`shortNames`, group and scope, built-in kinds and CRDs alike, cached per investigation.
"""

from __future__ import annotations

from pydantic import BaseModel

from holmes.tools.base import Tool, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes.client import session
from holmes.tools.kubernetes.resources import served_resources


class KindsInput(BaseModel):
    """kubernetes_kinds takes no arguments."""


class KubernetesKinds(Tool):
    """The kinds the cluster serves, as discovery names them."""

    name = "kubernetes_kinds"
    toolset = "kubernetes"
    description = (
        "List every listable kind the cluster serves (built-in and custom resources), as "
        "`kubectl api-resources` does: kind, plural, singular, short names, apiVersion, "
        "namespaced or not."
    )
    Input = KindsInput

    async def run(self, args: KindsInput, ctx: ToolContext) -> ToolOutput:
        """Read discovery (v1 and each group's preferred version)."""
        refs = await served_resources(session(ctx))
        rows = [
            {
                "kind": ref.kind,
                "plural": ref.plural,
                "singular": ref.singular or ref.kind.lower(),
                "short_names": list(ref.short_names),
                "group": ref.group,
                "api_version": ref.api_version,
                "namespaced": ref.namespaced,
            }
            for ref in refs
        ]
        lines = [
            f"{r['plural']}\t{','.join(r['short_names'])}\t{r['api_version']}\t"
            f"{str(r['namespaced']).lower()}\t{r['kind']}"
            for r in rows
        ]
        text = "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND\n" + "\n".join(lines)
        return ToolOutput(data={"kinds": rows}, text=text)
