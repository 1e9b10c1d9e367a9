"""Typed cluster facts (`PodFacts`, `OwnerRef`, `LabelSelector`, `Taint`, `Toleration`) and
the one implementation of each shared notion: Kubernetes quantities, label selectors, owner
references, kubectl's pod STATUS, the scheduler's toleration rule, time and text helpers.

Tools, rules and the replay servers import these from here rather than keeping copies."""

from holmes.tools.facts.owners import OwnerRef, owner_refs
from holmes.tools.facts.pod_status import kubectl_status
from holmes.tools.facts.pods import ContainerFacts, PodFacts
from holmes.tools.facts.quantities import (
    format_amount,
    format_bytes,
    format_summed,
    is_byte_resource,
    quantity,
    quantity_number,
)
from holmes.tools.facts.selectors import LabelRequirement, LabelSelector, SelectorError
from holmes.tools.facts.text import ago, clip, duration_text, rfc3339
from holmes.tools.facts.tolerations import NO_SCHEDULE_EFFECTS, Taint, Toleration, tolerated

__all__ = [
    "NO_SCHEDULE_EFFECTS",
    "ContainerFacts",
    "LabelRequirement",
    "LabelSelector",
    "OwnerRef",
    "PodFacts",
    "SelectorError",
    "Taint",
    "Toleration",
    "ago",
    "clip",
    "duration_text",
    "format_amount",
    "format_bytes",
    "format_summed",
    "is_byte_resource",
    "kubectl_status",
    "owner_refs",
    "quantity",
    "quantity_number",
    "rfc3339",
    "tolerated",
]
