"""The built-in runbook functions: every rule module's `FUNCTIONS` table, in one registry.

This is the one list of the modules whose functions runbooks may call (add a module here to
give runbooks its functions). `builtin_functions()` builds a fresh `FunctionRegistry` from
them; the engine builds one and hands it to the loader (which checks every call against it)
and to every evaluation. A name two modules claim fails here, naming both.

Called by the engine, `holmes runbooks check` and tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from holmes.agent.engine.rules import (
    commands,
    expressions,
    functions_admission,
    functions_cronjobs,
    functions_disruption,
    functions_nodes,
    functions_placement,
    functions_pods,
    functions_routing,
    functions_scheduling,
    kueue,
    kueue_gang,
    log_dependencies,
    log_lines,
)
from holmes.agent.engine.rules.gpu import (
    dra,
    model_fit,
    repeat_faults,
    scope,
    text,
    throttling,
    topology,
    xids,
)
from holmes.agent.engine.rules.network import (
    asked,
    dns,
    drops,
    evidence,
    policies,
    rules,
    selectors,
    upstream,
)
from holmes.agent.engine.rules.network import scope as network_scope
from holmes.agent.engine.rules.registry import FunctionRegistry

MODULES: tuple[ModuleType, ...] = (
    expressions,
    log_lines,
    log_dependencies,
    commands,
    functions_pods,
    functions_admission,
    functions_scheduling,
    functions_placement,
    functions_routing,
    functions_disruption,
    functions_cronjobs,
    functions_nodes,
    kueue,
    kueue_gang,
    dra,
    scope,
    text,
    throttling,
    xids,
    model_fit,
    repeat_faults,
    topology,
    evidence,
    network_scope,
    drops,
    dns,
    upstream,
    selectors,
    rules,
    policies,
    asked,
)

# Names runbooks called before the functions were namespaced (old -> new): an unknown call
# of an old name is told its new one.
RENAMED: dict[str, str] = {
    "allocatable": "k8s.allocatable",
    "create_denials": "k8s.create_denials",
    "cuda_error_line": "gpu.cuda_error_line",
    "dra_diagnose": "k8s.dra_diagnose",
    "dra_pending": "k8s.dra_pending",
    "env_named": "k8s.env_named",
    "env_refs": "k8s.env_refs",
    "env_text": "k8s.env_text",
    "exit_meaning": "k8s.exit_meaning",
    "failure": "k8s.failure",
    "fits": "k8s.fits",
    "free": "k8s.free",
    "gpu_application": "gpu.application",
    "gpu_bad_reasons": "gpu.bad_reasons",
    "gpu_finding": "gpu.finding",
    "gpu_findings": "gpu.findings",
    "gpu_hardware": "gpu.hardware",
    "gpu_max": "gpu.max",
    "gpu_names": "gpu.names",
    "gpu_nodes": "gpu.nodes",
    "gpu_pods": "gpu.pods",
    "gpu_reading": "gpu.reading",
    "gpu_scope": "gpu.scope",
    "gpu_throttled": "gpu.throttled",
    "kubectl_edit": "k8s.kubectl_edit",
    "kubectl_export": "k8s.kubectl_export",
    "kubectl_replace": "k8s.kubectl_replace",
    "kueue_diagnose": "k8s.kueue_diagnose",
    "listed": "k8s.listed",
    "mib_text": "gpu.mib_text",
    "mount_failures": "k8s.mount_failures",
    "net_allow_rule": "net.allow_rule",
    "net_config_mentions": "net.config_mentions",
    "net_dns_failures": "net.dns_failures",
    "net_drops": "net.drops",
    "net_hpa_for": "net.hpa_for",
    "net_http_errors": "net.http_errors",
    "net_in_scope": "net.in_scope",
    "net_is_dns": "net.is_dns",
    "net_items": "net.items",
    "net_kubectl_kind": "net.kubectl_kind",
    "net_latency": "net.latency",
    "net_load_line": "net.load_line",
    "net_namespaces": "net.namespaces",
    "net_peer": "net.peer",
    "net_policies_for": "net.policies_for",
    "net_policy_refs": "net.policy_refs",
    "net_rcodes": "net.rcodes",
    "net_selector_matches": "net.selector_matches",
    "net_similar_service": "net.similar_service",
    "net_unhealthy": "net.unhealthy",
    "object_keys": "k8s.object_keys",
    "owner": "k8s.owner",
    "owner_of": "k8s.owner_of",
    "owners_of_kind": "k8s.owners_of_kind",
    "pod_request": "k8s.pod_request",
    "pod_scheduling_failure": "k8s.pod_scheduling_failure",
    "probe_events": "k8s.probe_events",
    "replaced_in_full": "k8s.replaced_in_full",
    "scheduling_failure": "k8s.scheduling_failure",
    "selector_matches": "k8s.selector_matches",
    "selector_misses": "k8s.selector_misses",
    "shortfalls": "k8s.shortfalls",
    "similar_command": "k8s.similar_command",
    "system_taint": "k8s.system_taint",
    "taint_text": "k8s.taint_text",
    "tolerates": "k8s.tolerates",
    "unschedulable_message": "k8s.unschedulable_message",
    "untolerated": "k8s.untolerated",
    "volume_source": "k8s.volume_source",
}


def builtin_functions() -> FunctionRegistry:
    """A registry of every built-in function (see MODULES)."""
    registry = FunctionRegistry(renamed=RENAMED)
    for module in MODULES:
        table: Mapping[str, Callable[..., Any]] = module.FUNCTIONS
        registry.add_table(table, origin=module.__name__)
    return registry


__all__ = ["MODULES", "RENAMED", "builtin_functions"]
