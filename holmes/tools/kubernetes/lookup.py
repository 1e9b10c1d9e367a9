"""`kubernetes_lookup`: which objects, of any kind the cluster serves, carry these exact names.

Called through the registry: triage asks it about the names a question spells that are not
workloads, Services, pods or nodes (a ConfigMap, a RoleBinding, an HPA, a custom resource),
and the agent may too. Discovery (`served_resources`) gives every namespaced kind the cluster
serves, CRDs included; each is listed once (in parallel, at most `max_items` each) as a
metadata-only Table (`includeObject=Metadata`, what `kubectl get` asks for), so no Secret's
data or ConfigMap's contents is ever read. A name found nowhere comes back with the names that
exist and look like it. A kind the caller may not list (403: RBAC grants holmes some kinds,
not all) is noted and skipped, unless every kind is refused; an API server that fails a listing
fails the call, since "not found" over part of the cluster would be a guess.
"""

from __future__ import annotations

import asyncio
import difflib
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from holmes.tools.base import Tool, ToolFailure, ToolOutput
from holmes.tools.context import ToolContext
from holmes.tools.kubernetes.arguments import Kind, ObjectName, OptionalNamespace
from holmes.tools.kubernetes.client import KubeSession, session
from holmes.tools.kubernetes.related import quietly
from holmes.tools.kubernetes.resources import ResourceRef, resolve, served_resources

# Events name the objects they are about; listing them would "find" every name twice.
_SKIPPED = frozenset({"Event", "Binding", "LocalSubjectAccessReview"})
_TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"
_LOOKALIKE_CUTOFF = 0.6
_MAX_LOOKALIKES = 4


def _listed(value: object) -> object:
    """`"a,b"` as `["a", "b"]`: a person on the command line, or a model, may write a string."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class LookupInput(BaseModel):
    """Arguments of kubernetes_lookup."""

    names: Annotated[list[ObjectName], BeforeValidator(_listed)] = Field(
        min_length=1, max_length=10, description="Exact object names, e.g. ['web-config']."
    )
    namespace: OptionalNamespace = Field(None, description="Only this namespace; empty for all.")
    kinds: Annotated[list[Kind], BeforeValidator(_listed)] = Field(
        default_factory=list,
        max_length=20,
        description="Only these kinds (e.g. ConfigMap, hpa, rolebindings); empty for every "
        "namespaced kind the cluster serves.",
    )


class KubernetesLookup(Tool):
    """Find objects by exact name across every namespaced kind the cluster serves."""

    name = "kubernetes_lookup"
    toolset = "kubernetes"
    description = (
        "Look up exact object names across every namespaced kind the cluster serves "
        "(ConfigMaps, Secrets (names only), ServiceAccounts, Roles, RoleBindings, HPAs, PVCs, "
        "NetworkPolicies, custom resources...). Returns each match's kind, apiVersion and "
        "namespace, and for a name found nowhere the existing names that look like it."
    )
    Input = LookupInput

    async def run(self, args: LookupInput, ctx: ToolContext) -> ToolOutput:
        """Discover the kinds, list their names, match."""
        kube = session(ctx)
        refs = await _kinds(kube, args.kinds)
        limit = ctx.limits.max_items
        listed = await asyncio.gather(
            *(quietly(_names(kube, ref, args.namespace, limit)) for ref in refs)
        )
        rows: list[dict[str, Any]] = []
        skipped: list[str] = []
        denied: list[ToolFailure] = []
        for ref, found in zip(refs, listed, strict=True):
            if isinstance(found, ToolFailure) and found.error.fault not in (None, "auth"):
                raise found  # the API server failed, not the kind: "not found" would be a guess
            if isinstance(found, ToolFailure):
                # A kind this identity may not list (RBAC grants some, not all) is skipped and
                # said; when every kind is refused, the credentials are what failed.
                denied += [found] if found.error.fault else []
                skipped.append(f"{ref.kind} ({found.error.message})")
                continue
            rows += [{**row, "kind": ref.kind, "api_version": ref.api_version} for row in found]
        if denied and len(denied) == len(refs):
            raise denied[0]
        return _answer(args, rows, len(refs), skipped)


async def _kinds(kube: KubeSession, kinds: list[str]) -> list[ResourceRef]:
    """The namespaced resources to search: the asked kinds, else every one served."""
    if kinds:
        refs = [await resolve(kube, None, kind) for kind in kinds]
    else:
        refs = [r for r in await served_resources(kube) if r.kind not in _SKIPPED]
    unique = {(r.group, r.plural): r for r in refs if r.namespaced}
    return list(unique.values())


async def _names(
    kube: KubeSession, ref: ResourceRef, namespace: str | None, limit: int
) -> list[dict[str, Any]]:
    """Namespace, name and creation time of the objects of one resource (metadata only)."""
    query = [("includeObject", "Metadata"), ("limit", str(limit))]
    document = await kube.get(ref.path(namespace), query, accept=_TABLE)
    if document.get("kind") == "Table":
        metas = [(row.get("object") or {}).get("metadata") or {} for row in document["rows"]]
    else:  # a server that ignored the Table request answered a plain list
        metas = [item.get("metadata") or {} for item in document.get("items") or []]
    return [
        {
            "namespace": m.get("namespace"),
            "name": m.get("name"),
            "created": m.get("creationTimestamp"),
        }
        for m in metas
        if m.get("name")
    ]


def _answer(
    args: LookupInput, rows: list[dict[str, Any]], searched: int, skipped: list[str]
) -> ToolOutput:
    where = f"namespace {args.namespace}" if args.namespace else "all namespaces"
    lines = [f"looked up {', '.join(args.names)} in {searched} kinds in {where}:"]
    found = [r for r in rows if r["name"] in args.names]
    missing = [n for n in args.names if not any(r["name"] == n for r in found)]
    lookalikes = {name: _lookalikes(name, rows) for name in missing}
    for row in found:
        lines.append(f"{row['kind']} {row['namespace']}/{row['name']} ({row['api_version']})")
    for name in missing:
        like = lookalikes[name]
        lines.append(
            f"no object named {name} in {where}"
            + (f"; names like it: {', '.join(like)}" if like else "")
        )
    if skipped:
        lines.append("not searched (no permission or not listable): " + "; ".join(skipped))
    data = {
        "found": found,
        "missing": missing,
        "lookalikes": lookalikes,
        "kinds_searched": searched,
        "not_searched": skipped,
    }
    return ToolOutput(data=data, text="\n".join(lines))


def _lookalikes(name: str, rows: list[dict[str, Any]]) -> list[str]:
    """`Kind namespace/name` of the existing objects whose names look most like `name`."""
    scored = []
    for row in rows:
        other = row["name"]
        ratio = difflib.SequenceMatcher(None, name, other).ratio()
        if ratio >= _LOOKALIKE_CUTOFF or (len(name) >= 4 and (name in other or other in name)):
            scored.append((-ratio, f"{row['kind']} {row['namespace']}/{other}"))
    return [text for _, text in sorted(set(scored))[:_MAX_LOOKALIKES]]
