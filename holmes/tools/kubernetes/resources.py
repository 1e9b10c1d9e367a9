"""apiVersion + kind -> the REST resource that serves it, and list/get over any resource.

Called by every tool that reads objects. Discovery is the API server's own (`/api/v1`,
`/apis/<group>/<version>`: APIResourceList), so any kind the cluster serves, CRDs included,
can be read; answers are cached per investigation on the `KubeClient`. A kind may be given as
the LLM or a person writes it (`Pod`, `pod`, `pods`, `po`, `deploy`); when the apiVersion is
left out, the usual one for well-known kinds is tried, then every group's preferred version.
When the asked version of a group is not served but another is (a 1.32 cluster serves DRA only
as `resource.k8s.io/v1beta1`, a 1.33 one as `v1beta2`), the group's preferred version that
serves the kind is used: the objects carry their real apiVersion.

Why not `kubernetes.dynamic.DynamicClient`: its discovery requests carry no timeout (a hung
server would hold a thread past the call's limit) and it caches discovery in a file under /tmp
keyed by the server address, shared by every process (a replay port reused by another bundle
would serve stale kinds). Raw JSON through the ApiClient also spares the model round trip:
the tools shape plain dicts.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from holmes.tools.base import ToolFailure
from holmes.tools.kubernetes.client import KubeSession, Query
from holmes.tools.kubernetes.errors import SOURCE

# Well-known kinds: apiVersion, kind, plural and short names (kubectl's).
_WELL_KNOWN: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("v1", "Pod", "pods", ("po",)),
    ("v1", "Node", "nodes", ("no",)),
    ("v1", "Event", "events", ("ev",)),
    ("v1", "Namespace", "namespaces", ("ns",)),
    ("v1", "Service", "services", ("svc",)),
    ("v1", "Endpoints", "endpoints", ("ep",)),
    ("v1", "ConfigMap", "configmaps", ("cm",)),
    ("v1", "Secret", "secrets", ()),
    ("v1", "ServiceAccount", "serviceaccounts", ("sa",)),
    ("v1", "PersistentVolumeClaim", "persistentvolumeclaims", ("pvc",)),
    ("v1", "PersistentVolume", "persistentvolumes", ("pv",)),
    ("v1", "ResourceQuota", "resourcequotas", ("quota",)),
    ("v1", "LimitRange", "limitranges", ("limits",)),
    ("apps/v1", "Deployment", "deployments", ("deploy",)),
    ("apps/v1", "ReplicaSet", "replicasets", ("rs",)),
    ("apps/v1", "StatefulSet", "statefulsets", ("sts",)),
    ("apps/v1", "DaemonSet", "daemonsets", ("ds",)),
    ("apps/v1", "ControllerRevision", "controllerrevisions", ()),
    ("batch/v1", "Job", "jobs", ()),
    ("batch/v1", "CronJob", "cronjobs", ("cj",)),
    ("networking.k8s.io/v1", "NetworkPolicy", "networkpolicies", ("netpol",)),
    ("networking.k8s.io/v1", "Ingress", "ingresses", ("ing",)),
    ("storage.k8s.io/v1", "StorageClass", "storageclasses", ("sc",)),
    ("resource.k8s.io/v1", "DeviceClass", "deviceclasses", ()),
    ("resource.k8s.io/v1", "ResourceClaim", "resourceclaims", ()),
    ("resource.k8s.io/v1", "ResourceClaimTemplate", "resourceclaimtemplates", ()),
    ("resource.k8s.io/v1", "ResourceSlice", "resourceslices", ()),
    ("cilium.io/v2", "CiliumNetworkPolicy", "ciliumnetworkpolicies", ("cnp",)),
    ("cilium.io/v2", "CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies", ()),
    ("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", ("hpa",)),
    ("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", ("pdb",)),
)
_ALIASES: dict[str, tuple[str, str]] = {}
for _version, _kind, _plural, _shorts in _WELL_KNOWN:
    for _alias in (_kind, _plural, *_shorts):
        _ALIASES.setdefault(_alias.lower(), (_version, _kind))


class ResourceRef(BaseModel):
    """One REST resource: where objects of a kind are listed and read."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    # How people write the kind besides `kind` and `plural` (discovery's singularName and
    # shortNames: `inferenceservice`, `isvc`); filled by `served_resources`.
    singular: str = ""
    short_names: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        """`v1` for the core group, `<group>/<version>` otherwise."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str = "", subresource: str = "") -> str:
        """The REST path of the collection (all namespaces when `namespace` is None) or of one
        object. Every segment is escaped: the arguments were validated (arguments.py), and a
        value that slipped past still names one segment, never `..` or a subresource."""
        segments = ["apis", self.group, self.version] if self.group else ["api", self.version]
        if self.namespaced and namespace:
            segments += ["namespaces", namespace]
        segments += [self.plural, name, subresource]
        return segment_path(*(segment for segment in segments if segment))


def segment_path(*segments: str) -> str:
    """`/a/b/c` from path segments, each percent-escaped (a `/` in one becomes `%2F`)."""
    return "".join("/" + quote(segment, safe="") for segment in segments)


def well_known(kind: str) -> tuple[str, str] | None:
    """(apiVersion, Kind) of a well-known kind written any usual way, else None."""
    return _ALIASES.get(kind.strip().lower())


async def resolve(kube: KubeSession, api_version: str | None, kind: str) -> ResourceRef:
    """The resource serving `kind` (in `api_version` when given), from the server's discovery."""
    known = well_known(kind)
    if not api_version and known:
        api_version, kind = known
    if api_version:
        ref = _find(await _resources(kube, api_version), api_version, kind)
        if ref is None:
            ref = await _in_other_version(kube, api_version, kind)
        if ref is not None:
            return ref
        served = await _resources(kube, api_version)
        if served is None:
            raise ToolFailure(
                SOURCE, "not_found", f"apiVersion {api_version} is not served by this cluster"
            )
        kinds = sorted({r["kind"] for r in served if "/" not in r["name"]})
        raise ToolFailure(
            SOURCE,
            "not_found",
            f"kind {kind} is not served in apiVersion {api_version}; "
            f"kinds there: {', '.join(kinds) or 'none'}",
        )
    for version in await _preferred_versions(kube):
        ref = _find(await _resources(kube, version), version, kind)
        if ref is not None:
            return ref
    raise ToolFailure(
        SOURCE, "not_found", f"no apiVersion of this cluster serves a kind named {kind!r}"
    )


def _find(
    resources: list[dict[str, Any]] | None, api_version: str, kind: str
) -> ResourceRef | None:
    wanted = kind.strip().lower()
    group, _, version = api_version.rpartition("/")
    for resource in resources or []:
        if "/" in resource.get("name", ""):
            continue  # a subresource (pods/log, deployments/scale)
        names = {
            resource.get("kind", "").lower(),
            resource.get("name", "").lower(),
            (resource.get("singularName") or "").lower(),
            *(name.lower() for name in resource.get("shortNames") or ()),
        }
        if wanted in names:
            return ResourceRef(
                group=group,
                version=version,
                kind=resource["kind"],
                plural=resource["name"],
                namespaced=bool(resource.get("namespaced")),
            )
    return None


async def _in_other_version(kube: KubeSession, api_version: str, kind: str) -> ResourceRef | None:
    """`kind` in another served version of `api_version`'s group, the preferred one first."""
    group, _, _ = api_version.rpartition("/")
    if not group:
        return None
    for entry in await _groups(kube):
        if entry.get("name") != group:
            continue
        preferred = (entry.get("preferredVersion") or {}).get("groupVersion", "")
        versions = [preferred] + [v.get("groupVersion", "") for v in entry.get("versions") or []]
        for version in dict.fromkeys(v for v in versions if v and v != api_version):
            ref = _find(await _resources(kube, version), version, kind)
            if ref is not None:
                return ref
    return None


async def _groups(kube: KubeSession) -> list[dict[str, Any]]:
    """The APIGroupList's groups (`/apis`), cached."""
    if kube.client.groups is None:
        document = await kube.get("/apis")
        kube.client.groups = list(document.get("groups") or [])
    return kube.client.groups


async def _resources(kube: KubeSession, api_version: str) -> list[dict[str, Any]] | None:
    """The APIResourceList of one group version (None when not served), cached."""
    cache = kube.client.discovery
    if api_version not in cache:
        path = segment_path("apis" if "/" in api_version else "api", *api_version.split("/", 1))
        document = await kube.get_or_none(path)
        cache[api_version] = list(document.get("resources") or []) if document else None
    return cache[api_version]


async def _preferred_versions(kube: KubeSession) -> list[str]:
    """`v1` and every group's preferred version, fetching their resource lists in parallel."""
    versions = ["v1"] + [
        (group.get("preferredVersion") or {}).get("groupVersion", "")
        for group in await _groups(kube)
    ]
    versions = [version for version in versions if version]
    await asyncio.gather(*(_resources(kube, version) for version in versions))
    return versions


async def served_resources(kube: KubeSession) -> list[ResourceRef]:
    """Every resource the cluster serves that can be listed, in `v1` and each group's
    preferred version (subresources left out), from discovery."""
    refs: list[ResourceRef] = []
    for api_version in await _preferred_versions(kube):
        group, _, version = api_version.rpartition("/")
        for resource in await _resources(kube, api_version) or []:
            if "/" in resource.get("name", "") or "list" not in (resource.get("verbs") or []):
                continue
            refs.append(
                ResourceRef(
                    group=group,
                    version=version,
                    kind=resource["kind"],
                    plural=resource["name"],
                    namespaced=bool(resource.get("namespaced")),
                    singular=resource.get("singularName") or "",
                    short_names=tuple(resource.get("shortNames") or ()),
                )
            )
    return refs


async def list_objects(
    kube: KubeSession,
    ref: ResourceRef,
    namespace: str | None = None,
    label_selector: str = "",
    field_selector: str = "",
    limit: int = 0,
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of objects (at most `limit`, 0 = all) and how many more the server holds
    (None when it did not say)."""
    query: Query = []
    if label_selector:
        query.append(("labelSelector", label_selector))
    if field_selector:
        query.append(("fieldSelector", field_selector))
    if limit:
        query.append(("limit", str(limit)))
    document = await kube.get(ref.path(namespace), query)
    items = list(document.get("items") or [])
    for item in items:  # list items carry no apiVersion/kind; the tools want them
        item.setdefault("apiVersion", ref.api_version)
        item.setdefault("kind", ref.kind)
    metadata = document.get("metadata") or {}
    remaining = metadata.get("remainingItemCount")
    if remaining is None and metadata.get("continue"):
        return items, -1
    return items, remaining


async def get_object(
    kube: KubeSession, ref: ResourceRef, name: str, namespace: str | None = None
) -> dict[str, Any]:
    """One object; `not_found` naming it when it does not exist."""
    if ref.namespaced and not namespace:
        raise ToolFailure(
            SOURCE, "bad_arguments", f"{ref.kind} is namespaced: give the namespace of {name!r}"
        )
    document = await kube.get_or_none(ref.path(namespace, name))
    if document is None:
        where = f" in namespace {namespace}" if ref.namespaced else ""
        raise ToolFailure(SOURCE, "not_found", f"{ref.kind} {name}{where} not found")
    document.setdefault("apiVersion", ref.api_version)
    document.setdefault("kind", ref.kind)
    return document
