"""The resource table of the Kubernetes API replay: which kinds exist, under which paths.

Used by `kubernetes_store` (to file each bundle object under its REST resource) and by
`kubernetes_discovery` (to answer `/api`, `/apis` and the per-version resource lists). The
built-in table names the plural, singular, short names and scope of the kinds a troubleshooting
session meets; kinds it does not know are named the way the API server names an unknown custom
resource (a CustomResourceDefinition in the bundle wins), so any kind in a bundle is served.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict


class ResourceType(BaseModel):
    """One REST resource: `/apis/<group>/<version>/[namespaces/<ns>/]<plural>`."""

    model_config = ConfigDict(frozen=True)

    group: str  # "" for the core group served under /api/v1
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        """The objects' `apiVersion`: `v1` for core, `<group>/<version>` otherwise."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """The resource as error messages name it: `pods`, `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


# (group, version, kind, plural, namespaced, short names). Always listed in discovery, because a
# real cluster serves them whether or not the bundle recorded any object of that kind.
_STANDARD: tuple[tuple[str, str, str, str, bool, tuple[str, ...]], ...] = (
    ("", "v1", "Pod", "pods", True, ("po",)),
    ("", "v1", "Event", "events", True, ("ev",)),
    ("", "v1", "Node", "nodes", False, ("no",)),
    ("", "v1", "Namespace", "namespaces", False, ("ns",)),
    ("", "v1", "Service", "services", True, ("svc",)),
    ("", "v1", "Endpoints", "endpoints", True, ("ep",)),
    ("", "v1", "ConfigMap", "configmaps", True, ("cm",)),
    ("", "v1", "Secret", "secrets", True, ()),
    ("", "v1", "ServiceAccount", "serviceaccounts", True, ("sa",)),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, ("pvc",)),
    ("", "v1", "PersistentVolume", "persistentvolumes", False, ("pv",)),
    ("", "v1", "ResourceQuota", "resourcequotas", True, ("quota",)),
    ("", "v1", "LimitRange", "limitranges", True, ("limits",)),
    ("", "v1", "ReplicationController", "replicationcontrollers", True, ("rc",)),
    ("apps", "v1", "Deployment", "deployments", True, ("deploy",)),
    ("apps", "v1", "ReplicaSet", "replicasets", True, ("rs",)),
    ("apps", "v1", "StatefulSet", "statefulsets", True, ("sts",)),
    ("apps", "v1", "DaemonSet", "daemonsets", True, ("ds",)),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", True, ()),
    ("batch", "v1", "Job", "jobs", True, ()),
    ("batch", "v1", "CronJob", "cronjobs", True, ("cj",)),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True, ("netpol",)),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", True, ("ing",)),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, ("pdb",)),
    ("events.k8s.io", "v1", "Event", "events", True, ("ev",)),
    ("resource.k8s.io", "v1", "DeviceClass", "deviceclasses", False, ()),
    ("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims", True, ()),
    ("resource.k8s.io", "v1", "ResourceClaimTemplate", "resourceclaimtemplates", True, ()),
    ("resource.k8s.io", "v1", "ResourceSlice", "resourceslices", False, ()),
    ("cilium.io", "v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", True, ("cnp", "ciliumnp")),
    (
        "cilium.io",
        "v2",
        "CiliumClusterwideNetworkPolicy",
        "ciliumclusterwidenetworkpolicies",
        False,
        ("ccnp",),
    ),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ("sc",)),
    ("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False, ()),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, ()),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",)),
)

# Kinds served only when a bundle holds them; listed for their plural and, above all, their
# scope, which cannot be guessed from objects that were recorded without a namespace by mistake.
_KNOWN: tuple[tuple[str, str, str, bool, tuple[str, ...]], ...] = (
    ("", "PodTemplate", "podtemplates", True, ()),
    ("", "ComponentStatus", "componentstatuses", False, ("cs",)),
    ("apps", "ControllerRevision", "controllerrevisions", True, ()),
    ("networking.k8s.io", "IngressClass", "ingressclasses", False, ()),
    ("resource.k8s.io", "DeviceTaintRule", "devicetaintrules", False, ()),
    ("cilium.io", "CiliumEndpoint", "ciliumendpoints", True, ("cep", "ciliumep")),
    ("cilium.io", "CiliumIdentity", "ciliumidentities", False, ("ciliumid",)),
    ("cilium.io", "CiliumNode", "ciliumnodes", False, ("cn", "ciliumn")),
    ("cilium.io", "CiliumCIDRGroup", "ciliumcidrgroups", False, ("ccg",)),
    ("storage.k8s.io", "CSINode", "csinodes", False, ()),
    ("storage.k8s.io", "VolumeAttachment", "volumeattachments", False, ()),
    ("rbac.authorization.k8s.io", "Role", "roles", True, ()),
    ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", True, ()),
    ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", False, ()),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", False, ()),
    ("scheduling.k8s.io", "PriorityClass", "priorityclasses", False, ("pc",)),
    ("node.k8s.io", "RuntimeClass", "runtimeclasses", False, ()),
    ("gateway.networking.k8s.io", "GatewayClass", "gatewayclasses", False, ("gc",)),
    ("gateway.networking.k8s.io", "Gateway", "gateways", True, ("gtw",)),
    ("gateway.networking.k8s.io", "HTTPRoute", "httproutes", True, ()),
    ("gateway.networking.k8s.io", "GRPCRoute", "grpcroutes", True, ()),
    ("gateway.networking.k8s.io", "ReferenceGrant", "referencegrants", True, ("refgrant",)),
    ("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", True, ("hpa",)),
    ("coordination.k8s.io", "Lease", "leases", True, ()),
    (
        "apiextensions.k8s.io",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        False,
        ("crd", "crds"),
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        False,
        (),
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        False,
        (),
    ),
    (
        "certificates.k8s.io",
        "CertificateSigningRequest",
        "certificatesigningrequests",
        False,
        ("csr",),
    ),
    ("nvidia.com", "ClusterPolicy", "clusterpolicies", False, ()),
    ("keda.sh", "ScaledObject", "scaledobjects", True, ("so",)),
)


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1")."""
    group, _, version = api_version.rpartition("/")
    return group, version


def guess_plural(kind: str) -> str:
    """The plural resource name of an unknown kind, by the usual English rules."""
    word = kind.lower()
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


class ResourceTable:
    """Every resource the replay serves: the standard ones plus each kind found in the bundle."""

    def __init__(self, objects: Iterable[dict[str, Any]]) -> None:
        objects = list(objects)
        self._known: dict[tuple[str, str], tuple[str, bool, tuple[str, ...]]] = {
            (group, kind): (plural, namespaced, shorts)
            for group, _, kind, plural, namespaced, shorts in _STANDARD
        }
        self._known.update(
            {
                (group, kind): (plural, scoped, shorts)
                for group, kind, plural, scoped, shorts in _KNOWN
            }
        )
        self._known.update(_definitions(objects))
        # A CRD's `names.singular` is what discovery serves as singularName (kind lowercased
        # when unset), as the API server does.
        self._singulars = {
            (o["spec"]["group"], o["spec"]["names"]["kind"]): o["spec"]["names"]["singular"]
            for o in objects
            if o["kind"] == "CustomResourceDefinition"
            and ((o.get("spec") or {}).get("names") or {}).get("singular")
            and (o.get("spec") or {}).get("group")
            and o["spec"]["names"].get("kind")
        }
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        served = _served_versions(objects)
        for group, version, kind, *_ in _STANDARD:
            for serving in served.get((group, version), [version]):
                self._add(group, serving, kind, namespaced_hint=True)
        for obj in objects:
            group, version = split_api_version(obj["apiVersion"])
            has_namespace = bool((obj.get("metadata") or {}).get("namespace"))
            self._add(group, version, obj["kind"], namespaced_hint=has_namespace)

    def _add(self, group: str, version: str, kind: str, namespaced_hint: bool) -> None:
        if any(t.kind == kind for t in self.in_version(group, version)):
            return
        plural, namespaced, shorts = self._known.get(
            (group, kind), (guess_plural(kind), namespaced_hint, ())
        )
        resource = ResourceType(
            group=group,
            version=version,
            kind=kind,
            plural=plural,
            singular=self._singulars.get((group, kind), kind.lower()),
            namespaced=namespaced,
            short_names=shorts,
        )
        self._types[(group, version, plural)] = resource

    def lookup(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The resource at `/apis/<group>/<version>/<plural>`, or None if not served."""
        return self._types.get((group, version, plural))

    def for_kind(self, api_version: str, kind: str) -> ResourceType:
        """The resource that serves objects of this apiVersion and kind."""
        group, version = split_api_version(api_version)
        for resource in self.in_version(group, version):
            if resource.kind == kind:
                return resource
        raise KeyError(f"{api_version} {kind} is not in the resource table")

    def in_version(self, group: str, version: str) -> list[ResourceType]:
        """The resources of one group version, in table order."""
        return [t for (g, v, _), t in self._types.items() if (g, v) == (group, version)]

    def groups(self) -> dict[str, list[str]]:
        """Every group (core = "") with its versions, the preferred (first seen) version first."""
        found: dict[str, list[str]] = {}
        for group, version, _ in self._types:
            versions = found.setdefault(group, [])
            if version not in versions:
                versions.append(version)
        return found


def _served_versions(objects: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(group, standard version) -> the versions served instead, for the standard groups whose
    recorded objects all carry other versions: a bundle of `resource.k8s.io/v1beta1` objects
    comes from a cluster that did not serve `v1` yet (1.32), so neither does the replay."""
    recorded: dict[str, list[str]] = {}
    for obj in objects:
        group, version = split_api_version(obj["apiVersion"])
        if version not in recorded.setdefault(group, []):
            recorded[group].append(version)
    found = {}
    for group, version, *_ in _STANDARD:
        versions = recorded.get(group)
        if group and versions and version not in versions:
            found[(group, version)] = versions
    return found


def _definitions(
    objects: list[dict[str, Any]],
) -> dict[tuple[str, str], tuple[str, bool, tuple[str, ...]]]:
    """Names and scope declared by CustomResourceDefinitions recorded in the bundle."""
    found = {}
    for obj in objects:
        if obj["kind"] != "CustomResourceDefinition":
            continue
        spec = obj.get("spec") or {}
        names = spec.get("names") or {}
        if spec.get("group") and names.get("kind") and names.get("plural"):
            found[(spec["group"], names["kind"])] = (
                names["plural"],
                spec.get("scope", "Namespaced") == "Namespaced",
                tuple(names.get("shortNames") or ()),
            )
    return found
