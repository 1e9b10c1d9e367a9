"""A pod's state as typed facts: what `kubernetes_list` returns per pod (`data.items[].facts`)
and triage ranks pods by, instead of parsing the one-line summary back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from holmes.tools.facts.owners import OwnerRef
from holmes.tools.facts.pod_status import kubectl_status

_DONE = ("Completed", "Succeeded")


class ContainerFacts(BaseModel):
    """One container's (or init container's) state, reason, exit code and resources."""

    model_config = ConfigDict(frozen=True)
    name: str
    init: bool = False
    ready: bool = False
    restarts: int = 0
    state: str = ""  # waiting, running, terminated or "" when none is reported
    reason: str = ""
    exit_code: int | None = None
    last_reason: str = ""  # of the previous run, when it terminated
    last_exit_code: int | None = None
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}


class PodFacts(BaseModel):
    """Phase, kubectl's STATUS, readiness, restarts, node, owner and containers of a pod."""

    model_config = ConfigDict(frozen=True)
    namespace: str = ""
    name: str = ""
    phase: str = ""
    status: str = ""  # kubectl's STATUS column
    ready: int = 0
    total: int = 0
    restarts: int = 0
    node: str = ""  # "" while unscheduled
    owner: OwnerRef | None = None  # the controller reference in the pod's metadata
    containers: tuple[ContainerFacts, ...] = ()

    @classmethod
    def of(cls, pod: dict[str, Any]) -> PodFacts:
        """The facts of a Pod API object."""
        metadata, spec, status = (pod.get(k) or {} for k in ("metadata", "spec", "status"))
        containers = _containers(spec, status, init=True) + _containers(spec, status, init=False)
        reported = status.get("containerStatuses") or []
        return cls(
            namespace=str(metadata.get("namespace") or ""),
            name=str(metadata.get("name") or ""),
            phase=str(status.get("phase") or ""),
            status=kubectl_status(pod),
            ready=sum(1 for c in reported if c.get("ready")),
            total=len(spec.get("containers") or []) or len(reported),
            restarts=sum(int(c.get("restartCount") or 0) for c in reported),
            node=str(spec.get("nodeName") or ""),
            owner=_controller(metadata),
            containers=tuple(containers),
        )

    @property
    def unready(self) -> bool:
        """Not done, and not Running with every container ready."""
        done = self.status in _DONE
        return not done and (self.status != "Running" or self.ready < self.total)

    @property
    def problem(self) -> bool:
        """Unready or restarting."""
        return self.unready or self.restarts > 0

    @property
    def severity(self) -> int:
        """3 for unready, plus 1 for restarts: which pods triage describes first."""
        return (3 if self.unready else 0) + (1 if self.restarts else 0)


def _controller(metadata: dict[str, Any]) -> OwnerRef | None:
    owners = metadata.get("ownerReferences") or []
    found = next((o for o in owners if o.get("controller")), owners[0] if owners else None)
    if not found:
        return None
    return OwnerRef(
        kind=str(found.get("kind") or ""),
        name=str(found.get("name") or ""),
        namespace=str(metadata.get("namespace") or ""),
        api_version=str(found.get("apiVersion") or ""),
    )


def _containers(spec: dict[str, Any], status: dict[str, Any], init: bool) -> list[ContainerFacts]:
    specs = spec.get("initContainers" if init else "containers") or []
    reported = {
        c.get("name"): c
        for c in status.get("initContainerStatuses" if init else "containerStatuses") or []
    }
    found = []
    for container in specs:
        name = str(container.get("name") or "")
        seen = reported.get(name) or {}
        state_name, state = next(iter((seen.get("state") or {}).items()), ("", {}))
        last = (seen.get("lastState") or {}).get("terminated") or {}
        resources = container.get("resources") or {}
        found.append(
            ContainerFacts(
                name=name,
                init=init,
                ready=bool(seen.get("ready")),
                restarts=int(seen.get("restartCount") or 0),
                state=state_name,
                reason=str((state or {}).get("reason") or ""),
                exit_code=(state or {}).get("exitCode"),
                last_reason=str(last.get("reason") or ""),
                last_exit_code=last.get("exitCode"),
                requests={k: str(v) for k, v in (resources.get("requests") or {}).items()},
                limits={k: str(v) for k, v in (resources.get("limits") or {}).items()},
            )
        )
    return found
