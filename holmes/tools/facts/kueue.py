"""Typed facts of Kueue objects (kueue.x-k8s.io/v1beta1): a Workload's queue, conditions and
admission, a ClusterQueue's quotas and usage, a ResourceFlavor's node labels and taints.

Read from raw objects as `kubernetes_get` returns them; every field Kueue may leave out is
optional. Used by the kueue rule functions (holmes.agent.engine.rules.kueue).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from holmes.tools.facts.quantities import quantity_number


class Condition(BaseModel):
    """One status condition as Kueue writes it."""

    type: str
    status: str = ""
    reason: str = ""
    message: str = ""


class Usage(BaseModel):
    """An amount of one resource in one flavor (an admission's usage, a queue's total)."""

    flavor: str
    resource: str
    amount: float
    text: str = ""
    borrowed: float = 0.0


class WorkloadFacts(BaseModel):
    """What a Workload asks for and where Kueue stands on it."""

    name: str
    namespace: str = ""
    uid: str = ""
    job_uid: str = ""
    owner_kind: str = ""
    owner_name: str = ""
    queue: str = ""
    priority: int = 0
    active: bool = True
    conditions: dict[str, Condition] = Field(default_factory=dict)
    cluster_queue: str = ""
    usage: list[Usage] = Field(default_factory=list)
    requests: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def of(cls, obj: dict[str, Any]) -> WorkloadFacts:
        """The facts of a raw Workload."""
        metadata, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        status = obj.get("status") or {}
        owner = next(iter(metadata.get("ownerReferences") or []), {}) or {}
        conditions = {
            c.get("type", ""): Condition(
                type=c.get("type", ""),
                status=str(c.get("status", "")),
                reason=c.get("reason") or "",
                message=c.get("message") or "",
            )
            for c in status.get("conditions") or []
            if isinstance(c, dict)
        }
        admission = status.get("admission") or {}
        usage = [
            Usage(
                flavor=flavor, resource=resource, amount=quantity_number(amount), text=str(amount)
            )
            for assignment in admission.get("podSetAssignments") or []
            for resource, amount in (assignment.get("resourceUsage") or {}).items()
            if (flavor := (assignment.get("flavors") or {}).get(resource))
        ]
        return cls(
            name=metadata.get("name", ""),
            namespace=metadata.get("namespace") or "",
            uid=metadata.get("uid") or "",
            job_uid=(metadata.get("labels") or {}).get("kueue.x-k8s.io/job-uid", ""),
            owner_kind=owner.get("kind", ""),
            owner_name=owner.get("name", ""),
            queue=spec.get("queueName") or "",
            priority=int(spec.get("priority") or 0),
            active=spec.get("active", True) is not False,
            conditions=conditions,
            cluster_queue=admission.get("clusterQueue") or "",
            usage=usage,
            requests=_requests(spec),
        )

    def holds(self, name: str) -> bool:
        """Whether condition `name` is True."""
        condition = self.conditions.get(name)
        return condition is not None and condition.status == "True"


def _requests(spec: dict[str, Any]) -> dict[str, str]:
    """Per pod set `name: count x {resource: amount}` of the first container (the usual job)."""
    found = {}
    for pod_set in spec.get("podSets") or []:
        pod_spec = (pod_set.get("template") or {}).get("spec") or {}
        totals: dict[str, float] = {}
        for container in pod_spec.get("containers") or []:
            requests = (container.get("resources") or {}).get("requests") or {}
            for resource, amount in requests.items():
                totals[resource] = totals.get(resource, 0.0) + quantity_number(amount)
        gpu = {k: v for k, v in totals.items() if "gpu" in k or "/" in k}
        shown = ", ".join(f"{k}: {v:g}" for k, v in (gpu or totals).items())
        found[pod_set.get("name", "main")] = f"{pod_set.get('count', 1)} x {{{shown}}}"
    return found


class Quota(BaseModel):
    """A ClusterQueue's quota of one resource in one flavor."""

    flavor: str
    resource: str
    nominal: float
    nominal_text: str
    borrowing_limit: float | None = None
    lending_limit: float | None = None


class ClusterQueueFacts(BaseModel):
    """A ClusterQueue's cohort, quotas, usage and whether it is active."""

    name: str
    cohort: str = ""
    quotas: list[Quota] = Field(default_factory=list)
    usage: list[Usage] = Field(default_factory=list)
    active: bool = True
    inactive_message: str = ""
    pending: int = 0

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ClusterQueueFacts:
        """The facts of a raw ClusterQueue."""
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        quotas = []
        for group in spec.get("resourceGroups") or []:
            for flavor in group.get("flavors") or []:
                for resource in flavor.get("resources") or []:
                    quotas.append(
                        Quota(
                            flavor=flavor.get("name", ""),
                            resource=resource.get("name", ""),
                            nominal=quantity_number(resource.get("nominalQuota", 0)),
                            nominal_text=str(resource.get("nominalQuota", 0)),
                            borrowing_limit=_optional(resource.get("borrowingLimit")),
                            lending_limit=_optional(resource.get("lendingLimit")),
                        )
                    )
        # flavorsReservation counts quota reserved (what admission compares), flavorsUsage
        # what admitted workloads use; older Kueue writes only the latter.
        usage = [
            Usage(
                flavor=flavor.get("name", ""),
                resource=resource.get("name", ""),
                amount=quantity_number(resource.get("total", 0)),
                text=str(resource.get("total", 0)),
                borrowed=quantity_number(resource.get("borrowed", 0)),
            )
            for flavor in status.get("flavorsReservation") or status.get("flavorsUsage") or []
            for resource in flavor.get("resources") or []
        ]
        active = next(
            (c for c in status.get("conditions") or [] if c.get("type") == "Active"), None
        )
        return cls(
            name=(obj.get("metadata") or {}).get("name", ""),
            cohort=str(spec.get("cohort") or spec.get("cohortName") or ""),
            quotas=quotas,
            usage=usage,
            active=active is None or str(active.get("status")) == "True",
            inactive_message=(active or {}).get("message", "") if active else "",
            pending=int(status.get("pendingWorkloads") or 0),
        )

    def quota(self, flavor: str, resource: str) -> Quota | None:
        """The quota of `resource` in `flavor`, None if the queue has none."""
        return next((q for q in self.quotas if q.flavor == flavor and q.resource == resource), None)

    def used(self, flavor: str, resource: str) -> Usage | None:
        """The reserved total of `resource` in `flavor`."""
        return next((u for u in self.usage if u.flavor == flavor and u.resource == resource), None)


def _optional(value: Any) -> float | None:
    return None if value is None else quantity_number(value)


class FlavorFacts(BaseModel):
    """A ResourceFlavor's node labels, taints and tolerations."""

    name: str
    node_labels: dict[str, str] = Field(default_factory=dict)
    node_taints: list[dict[str, Any]] = Field(default_factory=list)
    tolerations: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, obj: dict[str, Any]) -> FlavorFacts:
        """The facts of a raw ResourceFlavor."""
        spec = obj.get("spec") or {}
        return cls(
            name=(obj.get("metadata") or {}).get("name", ""),
            node_labels={str(k): str(v) for k, v in (spec.get("nodeLabels") or {}).items()},
            node_taints=list(spec.get("nodeTaints") or []),
            tolerations=list(spec.get("tolerations") or []),
        )
