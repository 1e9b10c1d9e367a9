"""The bundle's objects, indexed by REST resource, with list and get as kube-apiserver answers.

Built once by `KubernetesReplayServer` from a `Bundle`; read-only afterwards, so many request
threads can share it. At build time it makes the objects look served rather than recorded:
YAML timestamps become RFC 3339 strings, label values strings, every object gets a
`resourceVersion` and a deterministic `uid`, Events are served in both their forms, and a
Namespace exists for every namespace in use.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import uuid
from datetime import date, datetime
from typing import Any

from holmes.evals.bundle import Bundle
from holmes.evals.replay.kubernetes_events import to_core_v1, to_events_v1
from holmes.evals.replay.kubernetes_resources import ResourceTable, ResourceType
from holmes.evals.replay.kubernetes_selectors import (
    SelectorError,
    field_matcher,
    parse_field_selector,
)
from holmes.tools.facts.selectors import LabelSelector

_UID_NAMESPACE = uuid.UUID("8a0b1f6e-5c1d-4d55-9a8e-6f0e8f2b7c31")
_FIRST_RESOURCE_VERSION = 1000


class ListPage:
    """One page of a list answer: its items and how to ask for the rest."""

    def __init__(self, items: list[dict[str, Any]], continue_token: str, remaining: int) -> None:
        self.items = items
        self.continue_token = continue_token
        self.remaining = remaining


class ObjectStore:
    """Objects by resource; `list` and `get` apply the API server's query semantics."""

    def __init__(self, bundle: Bundle) -> None:
        objects = [_normalized(obj) for obj in bundle.objects]
        objects += _missing_namespaces(objects)
        _fill_identity(objects)
        # After identity: both forms of an Event are one object, with one uid.
        objects += _converted_events(objects)
        self.resources = ResourceTable(objects)
        self._by_resource: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for obj in objects:
            resource = self.resources.for_kind(obj["apiVersion"], obj["kind"])
            key = (resource.group, resource.version, resource.plural)
            self._by_resource.setdefault(key, []).append(obj)
        for items in self._by_resource.values():
            items.sort(key=_sort_key)
        self.resource_version = str(_FIRST_RESOURCE_VERSION + len(objects))

    def get(self, resource: ResourceType, namespace: str, name: str) -> dict[str, Any] | None:
        """The object with this name (in this namespace), or None."""
        for obj in self._objects(resource):
            meta = obj["metadata"]
            if meta["name"] == name and (meta.get("namespace") or "") == namespace:
                return obj
        return None

    def list(
        self,
        resource: ResourceType,
        namespace: str | None,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
    ) -> ListPage:
        """Matching objects in key order (namespace, name), a page of `limit` if given.

        Raises `SelectorError` (a 400 for the client) for a bad selector or continue token.
        """
        selector = LabelSelector.parse(label_selector)
        fields = field_matcher(resource.group, resource.kind, parse_field_selector(field_selector))
        start = _decode_continue(continue_token) if continue_token else None
        matched = []
        for obj in self._objects(resource):
            meta = obj["metadata"]
            if namespace is not None and (meta.get("namespace") or "") != namespace:
                continue
            if start is not None and _sort_key(obj) <= start:
                continue
            object_labels = meta.get("labels") or {}
            if selector.matches(object_labels) and fields(obj):
                matched.append(obj)
        if limit <= 0 or len(matched) <= limit:
            return ListPage(matched, "", 0)
        page = matched[:limit]
        return ListPage(page, _encode_continue(_sort_key(page[-1])), len(matched) - limit)

    def _objects(self, resource: ResourceType) -> list[dict[str, Any]]:
        return self._by_resource.get((resource.group, resource.version, resource.plural), [])


def _sort_key(obj: dict[str, Any]) -> tuple[str, str]:
    meta = obj["metadata"]
    return (meta.get("namespace") or "", meta["name"])


def _encode_continue(key: tuple[str, str]) -> str:
    # Opaque to clients, like the server's own base64 JSON token: where the next page starts.
    raw = json.dumps({"v": "meta.k8s.io/v1", "start": list(key)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        namespace, name = data["start"]
        return (str(namespace), str(name))
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise SelectorError(f"continue key is not valid: {error}") from error


def _normalized(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with YAML's datetimes as RFC 3339 text and label values as strings."""
    obj = _plain(copy.deepcopy(obj))
    meta = obj["metadata"]
    for key in ("labels", "annotations"):
        if isinstance(meta.get(key), dict):
            meta[key] = {str(k): "" if v is None else _text(v) for k, v in meta[key].items()}
    return obj


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return _text(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        text = value.isoformat().replace("+00:00", "Z")
        return text if value.tzinfo else text + "Z"
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def _converted_events(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each Event in the form the bundle lacks (the same object, seen through the other API)."""
    core = {_sort_key(o) for o in objects if (o["apiVersion"], o["kind"]) == ("v1", "Event")}
    new = {
        _sort_key(o)
        for o in objects
        if (o["apiVersion"], o["kind"]) == ("events.k8s.io/v1", "Event")
    }
    converted = []
    for obj in objects:
        if obj["kind"] != "Event":
            continue
        if obj["apiVersion"] == "v1" and _sort_key(obj) not in new:
            converted.append(to_events_v1(obj))
        elif obj["apiVersion"] == "events.k8s.io/v1" and _sort_key(obj) not in core:
            converted.append(to_core_v1(obj))
    return converted


def _missing_namespaces(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An Active Namespace for every namespace in use that the bundle did not record."""
    recorded = {
        o["metadata"]["name"]
        for o in objects
        if (o["apiVersion"], o["kind"]) == ("v1", "Namespace")
    }
    created: dict[str, str] = {}
    for obj in objects:
        namespace = obj["metadata"].get("namespace")
        if not namespace or namespace in recorded:
            continue
        when = obj["metadata"].get("creationTimestamp") or ""
        # The namespace is at least as old as the oldest object in it.
        if namespace not in created or (
            when and (not created[namespace] or when < created[namespace])
        ):
            created[namespace] = when
    synthesized = []
    for name, when in sorted(created.items()):
        meta: dict[str, Any] = {"name": name, "labels": {"kubernetes.io/metadata.name": name}}
        if when:
            meta["creationTimestamp"] = when
        synthesized.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": meta,
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            }
        )
    return synthesized


def _fill_identity(objects: list[dict[str, Any]]) -> None:
    """Give each object a resourceVersion and a uid, keeping references to it consistent.

    A missing uid is taken from whatever refers to the object (an Event's involvedObject, an
    owner reference), else derived from its identity; then Events that name their object
    without a uid get its uid, as a live recorder would have written (kubectl describe selects
    events by uid).
    """
    referenced: dict[tuple[str, str, str], str] = {}
    for obj in objects:
        namespace = obj["metadata"].get("namespace") or ""
        for ref in _references(obj):
            if ref.get("uid") and ref.get("kind") and ref.get("name"):
                ref_ns = ref.get("namespace", namespace) if obj["kind"] == "Event" else namespace
                referenced.setdefault((ref["kind"], ref_ns or "", ref["name"]), ref["uid"])
    uids: dict[tuple[str, str, str], str] = {}
    for index, obj in enumerate(objects):
        meta = obj["metadata"]
        if not meta.get("resourceVersion"):
            meta["resourceVersion"] = str(_FIRST_RESOURCE_VERSION + index)
        identity = (obj["kind"], meta.get("namespace") or "", meta["name"])
        if not meta.get("uid"):
            meta["uid"] = referenced.get(identity) or str(
                uuid.uuid5(_UID_NAMESPACE, "/".join(identity))
            )
        uids.setdefault(identity, meta["uid"])
    for obj in objects:
        if obj["kind"] != "Event":
            continue
        for key in ("involvedObject", "regarding"):
            ref = obj.get(key)
            if isinstance(ref, dict) and not ref.get("uid"):
                namespace = ref.get("namespace") or ""
                uid = uids.get((ref.get("kind", ""), namespace, ref.get("name", "")))
                if uid:
                    ref["uid"] = uid


def _references(obj: dict[str, Any]) -> list[dict[str, Any]]:
    refs = [ref for ref in obj["metadata"].get("ownerReferences") or [] if isinstance(ref, dict)]
    for key in ("involvedObject", "regarding"):
        if isinstance(obj.get(key), dict):
            refs.append(obj[key])
    return refs
