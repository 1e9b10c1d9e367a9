"""Discovery documents of the replay: `/version`, `/api`, `/apis`, and each group version.

Called by `kubernetes_router`. Only the legacy (unaggregated) shapes are served, always as
`application/json`: kubectl asks for aggregated discovery first and, seeing plain JSON, falls
back to walking `/api`, `/apis` and `/apis/<group>/<version>`, which this module answers.
"""

from __future__ import annotations

from typing import Any

from holmes.evals.replay.kubernetes_resources import ResourceTable, ResourceType

# The server claims the first release that serves resource.k8s.io/v1 (DRA GA).
SERVER_VERSION = {
    "major": "1",
    "minor": "34",
    "gitVersion": "v1.34.0",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2025-08-27T00:00:00Z",
    "goVersion": "go1.24.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}

# `kubectl get all` lists the resources of category "all".
_CATEGORY_ALL = {
    ("", "pods"),
    ("", "services"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
}
_READ_VERBS = ["get", "list"]


def api_versions(server_address: str) -> dict[str, Any]:
    """`GET /api`: the core group's versions."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group(table: ResourceTable, group: str) -> dict[str, Any] | None:
    """`GET /apis/<group>`: one named group, or None if it is not served."""
    versions = table.groups().get(group)
    if not group or not versions:
        return None
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": group,
        "versions": entries,
        "preferredVersion": entries[0],
    }


def api_group_list(table: ResourceTable) -> dict[str, Any]:
    """`GET /apis`: every named group."""
    groups = [api_group(table, name) for name in table.groups() if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(table: ResourceTable, group: str, version: str) -> dict[str, Any] | None:
    """`GET /api/v1` or `/apis/<group>/<version>`, or None if that version is not served."""
    resources = table.in_version(group, version)
    if not resources:
        return None
    entries: list[dict[str, Any]] = []
    for resource in resources:
        entries.append(_resource_entry(resource))
        if (group, resource.plural) == ("", "pods"):
            entries.append(_subresource(resource, "log"))
        entries.append(_subresource(resource, "status"))
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": entries,
    }


def _resource_entry(resource: ResourceType) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": _READ_VERBS,
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if (resource.group, resource.plural) in _CATEGORY_ALL:
        entry["categories"] = ["all"]
    return entry


def _subresource(resource: ResourceType, name: str) -> dict[str, Any]:
    return {
        "name": f"{resource.plural}/{name}",
        "singularName": "",
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": ["get"],
    }
