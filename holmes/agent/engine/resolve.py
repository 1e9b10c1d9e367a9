"""Resolving what the listing of workloads could not: spelled names and objects of any kind.

Triage lists the workloads, Services, pods, nodes and claims and matches the question against
them (`names.py`). What remains is resolved here:

1. names the question spells with a namespace or a kind (`spellings.py`: `web.shop.svc`,
   `shop/web`, "the ConfigMap web-config") are matched exactly against the listing;
2. those still unresolved, and the hyphenated names typed that match nothing listed, are looked
   up across every namespaced kind the cluster serves (`kubernetes_lookup`, from discovery);
   a name found nowhere is missing, with the names that exist and look like it;
3. an object that is not a workload (a ConfigMap, a ServiceAccount, an HPA, a custom resource)
   is described, and the pods it concerns (mounting it, running as it, its scale target) join
   the subject, so the runbooks examine the pods that fail because of it.

Called by triage; every read goes through the `Gatherer`.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from holmes.agent.engine.gather import Gatherer, as_evidence
from holmes.agent.engine.names import Named
from holmes.agent.engine.spellings import Spelled
from holmes.tools.facts.object_names import valid_name

# Kinds triage lists itself: a name of these kinds that the listing lacks does not exist.
LISTED_KINDS = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "Pod", "Node"}
    | {"ResourceClaim"}
)
MAX_OBJECTS_DESCRIBED = 3
MAX_NAMES_A_LOOKUP = 10  # kubernetes_lookup's own bound


@dataclass
class Resolution:
    """What this module adds to triage's resolution."""

    found: list[Named] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lookalikes: dict[str, list[str]] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)  # describe evidence
    lookups: list[dict[str, Any]] = field(default_factory=list)  # kubernetes_lookup evidence


def _label(named: Named) -> str:
    return f"{named.kind} {named.namespace + '/' if named.namespace else ''}{named.name}"


def match_spelled(spelled: Spelled, names: list[Named], namespace: str | None) -> list[Named]:
    """The listed objects a spelled name is: same name, its namespace (or the question's),
    its kind when it says one."""
    where = spelled.namespace or namespace
    return [
        n
        for n in names
        if n.name == spelled.name
        and (where is None or n.namespace in (where, None))
        and (spelled.kind is None or n.kind == spelled.kind)
    ]


async def resolve_rest(
    spelled: list[Spelled],
    typed: list[str],
    names: list[Named],
    namespace: str | None,
    namespaces: set[str],
    gatherer: Gatherer,
) -> Resolution:
    """Resolve spelled names and unresolved typed names; describe non-workload subjects."""
    result = Resolution()
    pending: list[Spelled] = []
    for item in spelled:
        matches = match_spelled(item, names, namespace)
        if matches:
            result.found += [m for m in matches if m not in result.found]
            result.notes.append(f"'{item.name}' -> " + ", ".join(_label(m) for m in matches[:4]))
        elif item.qualified or (item.kind or "") not in LISTED_KINDS:
            # A workload named beside its kind word that is not exact is left to fragment
            # matching ("the deepseek-v3 deployment" is deepseek-v3-fp8).
            pending.append(item)
    for name in typed:
        if any(name == p.name for p in pending):
            continue
        if valid_name(name):
            pending.append(Spelled(name))
        else:  # nothing can carry this name: say so without asking
            result.missing.append(name)
            result.notes.append(f"{name} is not a valid Kubernetes object name")
    if pending:
        await _look_up(pending, (namespace, namespaces), names, gatherer, result)
    await _describe_objects(names, gatherer, result)
    return result


async def _look_up(
    pending: list[Spelled],
    scope: tuple[str | None, set[str]],
    names: list[Named],
    gatherer: Gatherer,
    result: Resolution,
) -> None:
    """One `kubernetes_lookup` per namespace asked about (usually one); `scope` is the
    question's namespace and the cluster's namespaces."""
    namespace, namespaces = scope
    by_namespace: dict[str | None, list[Spelled]] = {}
    for item in pending:
        where = item.namespace or namespace
        # A namespace that does not exist holds nothing: look everywhere, to say where it is.
        by_namespace.setdefault(where if where in namespaces else None, []).append(item)
    groups = [
        (where, items[start : start + MAX_NAMES_A_LOOKUP])
        for where, items in by_namespace.items()
        for start in range(0, len(items), MAX_NAMES_A_LOOKUP)
    ]
    calls = [
        gatherer.call(
            "kubernetes_lookup", {"names": sorted({i.name for i in items}), "namespace": where}
        )
        for where, items in groups
    ]
    for (_, items), outcome in zip(groups, await asyncio.gather(*calls), strict=True):
        result.lookups.append(as_evidence(outcome))
        if not outcome.ok:
            # Not found in what was listed; the failed source is named in the answer (it says
            # "not found" holds only for what the API answered).
            reason = outcome.error.message if outcome.error else "no answer"
            for item in items:
                if item.certain:
                    result.missing.append(_missing_text(item))
                    result.notes.append(f"could not look up {item.name} in every kind ({reason})")
            continue
        data = outcome.data or {}
        for item in items:
            _settle(item, namespace, data, names, result)


def _settle(
    item: Spelled,
    namespace: str | None,
    data: dict[str, Any],
    names: list[Named],
    result: Resolution,
) -> None:
    """A looked-up name: found (the subject), elsewhere or nowhere (missing, with look-alikes)."""
    wanted = item.namespace or namespace
    rows = [
        r
        for r in data.get("found", [])
        if r["name"] == item.name and (item.kind is None or r["kind"] == item.kind)
    ]
    here = [r for r in rows if wanted is None or r["namespace"] == wanted]
    if here:
        found = [Named(r["kind"], r["namespace"], r["name"], r["api_version"]) for r in here]
        result.found += [f for f in found if f not in result.found]
        result.notes.append(f"'{item.name}' -> " + ", ".join(_label(f) for f in found[:4]))
        return
    if not item.certain:
        return  # a plain word beside a kind word: not a name after all
    result.missing.append(_missing_text(item))
    where = f" in namespace {wanted}" if wanted else ""
    note = f"nothing named {item.name}{where}"
    # Found in another namespace by the lookup, or listed there by triage under a longer name.
    elsewhere = [f"{r['kind']} {r['namespace']}/{r['name']}" for r in rows]
    elsewhere += [
        _label(n)
        for n in names
        if item.name in n.name and n.namespace not in (wanted, None) and n.kind != "Pod"
    ]
    elsewhere = list(dict.fromkeys(elsewhere))
    lookalikes = [x for x in data.get("lookalikes", {}).get(item.name, []) if x not in elsewhere]
    if elsewhere:
        note += f" ({', '.join(elsewhere[:3])} exist elsewhere)"
    if lookalikes:
        note += f"; names that exist and look like it: {', '.join(lookalikes)}"
        result.lookalikes[item.name] = lookalikes
    result.notes.append(note)


def _missing_text(item: Spelled) -> str:
    return item.name if not item.kind else f"{item.kind.lower()} {item.name}"


async def _describe_objects(names: list[Named], gatherer: Gatherer, result: Resolution) -> None:
    """Describe found objects triage does not describe itself; the pods and the scale target
    they name join the subject."""
    others = [n for n in result.found if n.kind not in LISTED_KINDS and n.namespace][
        :MAX_OBJECTS_DESCRIBED
    ]
    if not others:
        return
    calls = [
        gatherer.call(
            "kubernetes_describe",
            {
                "kind": n.kind,
                "namespace": n.namespace,
                "name": n.name,
                **({"api_version": n.api_version} if n.api_version else {}),
            },
        )
        for n in others
    ]
    for named, outcome in zip(others, await asyncio.gather(*calls), strict=True):
        result.objects.append(as_evidence(outcome))
        data = outcome.data if outcome.ok and isinstance(outcome.data, dict) else {}
        related = [Named("Pod", named.namespace, pod) for pod in data.get("used_by_pods") or {}]
        target = data.get("scale_target") or {}
        if target.get("name"):
            related.append(Named(str(target.get("kind")), named.namespace, target["name"]))
        listed = [r for r in related if r in names]
        result.found += [r for r in listed if r not in result.found]
        if listed:
            result.notes.append(
                f"{_label(named)} concerns " + ", ".join(_label(r) for r in listed[:5])
            )
