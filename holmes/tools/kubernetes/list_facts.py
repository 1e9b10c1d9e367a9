"""Structured facts `kubernetes_list` returns beside each item's summary line, for the kinds
the routing, disruption and workload runbooks compare: what an Ingress, HTTPRoute or Gateway
routes to, what ports a Service exposes, how many ready endpoints an EndpointSlice holds, what
a PodDisruptionBudget allows, which Service a StatefulSet needs, how a CronJob is scheduled.

Pure functions of the API object; called by `objects._facts` (one per kind, {} for others).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from holmes.tools.facts.selectors import LabelSelector
from holmes.tools.kubernetes.common import meta


def _conditions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: c.get(k) for k in ("type", "status", "reason", "message")}
        for c in (obj.get("status") or {}).get("conditions") or []
        if isinstance(c, dict)
    ]


def _ingress_backend(backend: dict[str, Any]) -> dict[str, Any]:
    service = backend.get("service") or {}
    port = service.get("port") or {}
    return {
        "service": service.get("name", ""),
        "port": port.get("number") if port.get("number") is not None else port.get("name", ""),
        "resource": (backend.get("resource") or {}).get("name", ""),
    }


def ingress_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{class_name, backends: [{host, path, service, port, resource}], tls_hosts,
    load_balancer}`; the default backend has host "" and path "(default)"."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    backends = []
    if spec.get("defaultBackend"):
        backends.append(
            {"host": "", "path": "(default)", **_ingress_backend(spec["defaultBackend"])}
        )
    for rule in spec.get("rules") or []:
        for path in ((rule.get("http") or {}).get("paths")) or []:
            backends.append(
                {
                    "host": rule.get("host", ""),
                    "path": path.get("path", "/"),
                    **_ingress_backend(path.get("backend") or {}),
                }
            )
    balancer = ((status.get("loadBalancer") or {}).get("ingress")) or []
    return {
        "class_name": spec.get("ingressClassName")
        or (meta(obj).get("annotations") or {}).get("kubernetes.io/ingress.class", ""),
        "backends": backends,
        "tls_hosts": [h for t in spec.get("tls") or [] for h in t.get("hosts") or []],
        "load_balancer": [b.get("ip") or b.get("hostname") for b in balancer],
    }


def route_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """An HTTPRoute's (or GRPCRoute's) `{hostnames, parents: [{name, namespace, section}],
    backends: [{kind, name, namespace, port, rule}], parent_status: [{parent, conditions}]}`;
    a backendRef without a namespace is in the route's."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    namespace = meta(obj).get("namespace", "")
    backends = []
    for index, rule in enumerate(spec.get("rules") or []):
        for ref in rule.get("backendRefs") or []:
            backends.append(
                {
                    "kind": ref.get("kind", "Service"),
                    "name": ref.get("name", ""),
                    "namespace": ref.get("namespace", namespace),
                    "port": ref.get("port"),
                    "rule": index,
                }
            )
    parents = [
        {
            "name": p.get("name", ""),
            "namespace": p.get("namespace", namespace),
            "section": p.get("sectionName", ""),
        }
        for p in spec.get("parentRefs") or []
    ]
    parent_status = [
        {
            "parent": (p.get("parentRef") or {}).get("name", ""),
            "controller": p.get("controllerName", ""),
            "conditions": [
                {k: c.get(k) for k in ("type", "status", "reason", "message")}
                for c in p.get("conditions") or []
            ],
        }
        for p in status.get("parents") or []
    ]
    return {
        "hostnames": spec.get("hostnames") or [],
        "parents": parents,
        "backends": backends,
        "parent_status": parent_status,
    }


def gateway_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """A Gateway's `{class_name, listeners: [{name, port, protocol, hostname,
    allowed_namespaces, selector}], conditions, listener_status}`."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    listeners = []
    for listener in spec.get("listeners") or []:
        allowed = (listener.get("allowedRoutes") or {}).get("namespaces") or {}
        listeners.append(
            {
                "name": listener.get("name", ""),
                "port": listener.get("port"),
                "protocol": listener.get("protocol", ""),
                "hostname": listener.get("hostname", ""),
                "allowed_namespaces": allowed.get("from", "Same"),
                "selector": allowed.get("selector") or {},
            }
        )
    return {
        "class_name": spec.get("gatewayClassName", ""),
        "listeners": listeners,
        "conditions": _conditions(obj),
        "listener_status": [
            {"name": s.get("name", ""), "attached_routes": s.get("attachedRoutes", 0)}
            for s in status.get("listeners") or []
        ],
    }


def service_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{type, cluster_ip, headless, selector, ports: [{name, port, target_port}]}`."""
    spec = obj.get("spec") or {}
    return {
        "type": spec.get("type", "ClusterIP"),
        "cluster_ip": spec.get("clusterIP", ""),
        "headless": spec.get("clusterIP") == "None",
        "selector": spec.get("selector") or {},
        "ports": [
            {
                "name": p.get("name", ""),
                "port": p.get("port"),
                "target_port": p.get("targetPort", p.get("port")),
            }
            for p in spec.get("ports") or []
        ],
    }


def endpoint_slice_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{service, ready, not_ready, ports: [numbers]}` (an endpoint without conditions is
    ready, as the API defines)."""
    endpoints = obj.get("endpoints") or []
    ready = sum(1 for e in endpoints if (e.get("conditions") or {}).get("ready", True))
    return {
        "service": (meta(obj).get("labels") or {}).get("kubernetes.io/service-name", ""),
        "ready": ready,
        "not_ready": len(endpoints) - ready,
        "ports": [p.get("port") for p in obj.get("ports") or []],
    }


def pdb_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{selector, selector_query, min_available, max_unavailable, current_healthy,
    desired_healthy, expected_pods, disruptions_allowed, unhealthy_pod_eviction_policy,
    conditions}`."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "selector": spec.get("selector") or {},
        "selector_query": LabelSelector.of(spec.get("selector")).query(),
        "min_available": spec.get("minAvailable"),
        "max_unavailable": spec.get("maxUnavailable"),
        "current_healthy": status.get("currentHealthy", 0),
        "desired_healthy": status.get("desiredHealthy", 0),
        "expected_pods": status.get("expectedPods", 0),
        "disruptions_allowed": status.get("disruptionsAllowed", 0),
        "unhealthy_pod_eviction_policy": spec.get("unhealthyPodEvictionPolicy", "IfHealthyBudget"),
        "conditions": _conditions(obj),
    }


def statefulset_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{service_name, replicas, ready, current_revision, update_revision, updated,
    pod_management, update_strategy, partition, current_replicas, selector}`."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "service_name": spec.get("serviceName", ""),
        "replicas": spec.get("replicas", 1),
        "ready": status.get("readyReplicas", 0),
        "current_revision": status.get("currentRevision", ""),
        "update_revision": status.get("updateRevision", ""),
        "updated": status.get("updatedReplicas", 0),
        "pod_management": spec.get("podManagementPolicy", "OrderedReady"),
        "update_strategy": (spec.get("updateStrategy") or {}).get("type", "RollingUpdate"),
        "partition": int(
            ((spec.get("updateStrategy") or {}).get("rollingUpdate") or {}).get("partition") or 0
        ),
        "current_replicas": status.get("currentReplicas", 0),
        "selector": spec.get("selector") or {},
    }


def cronjob_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{schedule, time_zone, suspend, concurrency_policy, starting_deadline_seconds,
    last_schedule, last_successful, active: [job names]}`."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {
        "schedule": spec.get("schedule", ""),
        "time_zone": spec.get("timeZone", ""),
        "suspend": bool(spec.get("suspend")),
        "concurrency_policy": spec.get("concurrencyPolicy", "Allow"),
        "starting_deadline_seconds": spec.get("startingDeadlineSeconds"),
        "last_schedule": status.get("lastScheduleTime", ""),
        "last_successful": status.get("lastSuccessfulTime", ""),
        "active": [a.get("name", "") for a in status.get("active") or []],
    }


def job_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """`{owner, start_time, completion_time, active, succeeded, failed, completions,
    active_deadline_seconds, conditions}` (`owner`: the CronJob that created it, or "")."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    owner = next(
        (
            o.get("name", "")
            for o in meta(obj).get("ownerReferences") or []
            if o.get("kind") == "CronJob"
        ),
        "",
    )
    return {
        "owner": owner,
        "start_time": status.get("startTime", ""),
        "completion_time": status.get("completionTime", ""),
        "active": status.get("active", 0),
        "succeeded": status.get("succeeded", 0),
        "failed": status.get("failed", 0),
        "completions": spec.get("completions", 1),
        "active_deadline_seconds": spec.get("activeDeadlineSeconds"),
        "conditions": _conditions(obj),
    }


FACTS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "Job": job_facts,
    "Ingress": ingress_facts,
    "HTTPRoute": route_facts,
    "GRPCRoute": route_facts,
    "Gateway": gateway_facts,
    "Service": service_facts,
    "EndpointSlice": endpoint_slice_facts,
    "PodDisruptionBudget": pdb_facts,
    "StatefulSet": statefulset_facts,
    "CronJob": cronjob_facts,
}


def list_facts(obj: dict[str, Any]) -> dict[str, Any]:
    """The facts of `obj`'s kind, or {}."""
    facts = FACTS.get(str(obj.get("kind", "")))
    return facts(obj) if facts else {}
