"""The Kubernetes toolset: read-only views of objects, events, logs and nodes for an LLM.

`TOOLS` lists the tool classes the registry registers. Each tool gathers evidence through the
kubernetes client (`client.py`, one client per investigation, every request bounded by the
call's time limit) and shapes it into compact text; client errors become `ToolFailure`s in
`errors.py`.
"""

from __future__ import annotations

from holmes.tools.base import Tool
from holmes.tools.kubernetes.autoscalers import KubernetesAutoscalers
from holmes.tools.kubernetes.describe import KubernetesDescribe
from holmes.tools.kubernetes.events import KubernetesEvents
from holmes.tools.kubernetes.find import KubernetesFind
from holmes.tools.kubernetes.kinds import KubernetesKinds
from holmes.tools.kubernetes.logs import KubernetesLogs
from holmes.tools.kubernetes.lookup import KubernetesLookup
from holmes.tools.kubernetes.nodes import KubernetesNode
from holmes.tools.kubernetes.objects import KubernetesGet, KubernetesList
from holmes.tools.kubernetes.rollouts import KubernetesRolloutHistory

TOOLS: tuple[type[Tool], ...] = (
    KubernetesGet,
    KubernetesList,
    KubernetesFind,
    KubernetesLookup,
    KubernetesKinds,
    KubernetesDescribe,
    KubernetesEvents,
    KubernetesLogs,
    KubernetesNode,
    KubernetesAutoscalers,
    KubernetesRolloutHistory,
)

__all__ = ["TOOLS"]
