"""What the Kubernetes toolset reads, as RBAC sees it: (API group, resource) pairs and why.

The one list behind deploy/base/clusterrole.yaml (tests/test_deploy.py checks that the role
grants exactly these, read-only) and behind `holmes doctor`'s permission check (a
SelfSubjectAccessReview per pair). Discovery (`/api`, `/apis`) needs no rule: every
authenticated user may read it.
"""

from __future__ import annotations

from typing import NamedTuple


class Access(NamedTuple):
    """get/list/watch on `resource` (or `resource/subresource`) of API group `group`."""

    group: str
    resource: str
    reader: str  # who reads it, for the doctor's message and the role's comments


READS: tuple[Access, ...] = (
    Access("", "pods", "describe, triage, find"),
    Access("", "pods/log", "kubernetes_logs"),
    Access("", "events", "describe, kubernetes_events"),
    Access("", "nodes", "kubernetes_node, find"),
    Access("", "namespaces", "triage"),
    Access("", "services", "describe, find"),
    Access("", "endpoints", "kubernetes_get/list"),
    Access("", "configmaps", "container-config-error, dns-failures runbooks"),
    Access("", "persistentvolumeclaims", "describe, pvc-pending-mount runbook"),
    Access("", "persistentvolumes", "describe"),
    Access("", "resourcequotas", "failed-create runbook"),
    Access("", "limitranges", "failed-create runbook"),
    Access("", "serviceaccounts", "kubernetes_lookup, describe (the pods running as one)"),
    Access("rbac.authorization.k8s.io", "roles", "kubernetes_lookup, describe"),
    Access("rbac.authorization.k8s.io", "rolebindings", "kubernetes_lookup, describe"),
    Access("events.k8s.io", "events", "kubernetes_get/list"),
    Access("apps", "deployments", "owner chains, describe_workload, find"),
    Access("apps", "statefulsets", "owner chains, describe_workload, find"),
    Access("apps", "daemonsets", "owner chains, describe_workload, find"),
    Access("apps", "replicasets", "owner chains, describe_workload, kubernetes_rollout_history"),
    Access("apps", "controllerrevisions", "kubernetes_rollout_history (StatefulSet, DaemonSet)"),
    Access("batch", "jobs", "owner chains, job-backoff-limit runbook, find"),
    Access("batch", "cronjobs", "owner chains, find"),
    Access(
        "autoscaling",
        "horizontalpodautoscalers",
        "kubernetes_autoscalers, upstream-http-5xx runbook",
    ),
    Access("discovery.k8s.io", "endpointslices", "describe (a Service's endpoints)"),
    Access("networking.k8s.io", "networkpolicies", "network policy runbooks"),
    Access("networking.k8s.io", "ingresses", "ingress-route-backend runbook"),
    Access("gateway.networking.k8s.io", "gateways", "ingress-route-backend runbook"),
    Access("gateway.networking.k8s.io", "httproutes", "ingress-route-backend runbook"),
    Access("gateway.networking.k8s.io", "grpcroutes", "ingress-route-backend runbook"),
    Access("gateway.networking.k8s.io", "gatewayclasses", "ingress-route-backend runbook"),
    Access("gateway.networking.k8s.io", "referencegrants", "ingress-route-backend runbook"),
    Access("policy", "poddisruptionbudgets", "pdb-blocks-eviction runbook"),
    Access("storage.k8s.io", "storageclasses", "pvc-pending-mount runbook"),
    Access("coordination.k8s.io", "leases", "node-not-ready runbook (node heartbeats)"),
    Access("resource.k8s.io", "resourceclaims", "DRA: describe, kubernetes_node, find"),
    Access("resource.k8s.io", "resourceclaimtemplates", "DRA runbook"),
    Access("resource.k8s.io", "deviceclasses", "DRA runbook"),
    Access("resource.k8s.io", "resourceslices", "DRA: kubernetes_node"),
    Access("resource.k8s.io", "devicetaintrules", "gpu-repeated-faults runbook"),
    Access(
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
        "failed-create runbook (webhook denials)",
    ),
    Access("cilium.io", "ciliumnetworkpolicies", "Hubble drop runbooks"),
    Access("cilium.io", "ciliumclusterwidenetworkpolicies", "Hubble drop runbooks"),
    Access("kueue.x-k8s.io", "workloads", "queued training jobs"),
    Access("kueue.x-k8s.io", "localqueues", "queued training jobs"),
    Access("kueue.x-k8s.io", "clusterqueues", "queued training jobs"),
    Access("kueue.x-k8s.io", "resourceflavors", "queued training jobs"),
    Access("keda.sh", "scaledobjects", "kubernetes_autoscalers (KEDA)"),
    Access("kubeflow.org", "pytorchjobs", "owner chains of training pods"),
    Access("kubeflow.org", "mpijobs", "owner chains of training pods"),
    Access("kubeflow.org", "trainjobs", "owner chains of training pods"),
    Access("jobset.x-k8s.io", "jobsets", "owner chains of training pods"),
)

# Verbs holmes never needs; the doctor flags a service account that holds them (with reading
# Secrets, whose data would otherwise reach answers).
FLAGGED: tuple[tuple[str, str, str], ...] = (
    ("create", "", "pods"),
    ("delete", "", "pods"),
    ("create", "", "pods/exec"),
    ("patch", "", "nodes"),
    ("get", "", "secrets"),
    ("patch", "apps", "deployments"),
    ("delete", "apps", "deployments"),
    ("delete", "batch", "jobs"),
)
