"""Read the Kubernetes objects of a bundle's `kubernetes/*.yaml` files and check their envelope.

Called by the bundle loader (`bundle.py`). Every object must have what the replay's API server
indexes it by: `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` as strings, and
`metadata.labels`/`annotations` as mappings; a Pod's `spec.containers` must be a list of named
containers (its logs are filed under those names). Anything else is a `BundleError` naming the
file, the line the object starts on and the field, never a TypeError further down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from holmes.evals.bundle_files import read_text
from holmes.evals.errors import BundleError
from holmes.evals.series import SAFE_LOADER

ObjectKey = tuple[str, str, str, str]  # apiVersion, kind, namespace ("" if none), name
_CONTAINER_GROUPS = ("containers", "initContainers", "ephemeralContainers")


def objects_in_file(path: Path) -> list[tuple[dict[str, Any], str]]:
    """Objects of one YAML file, each with where it starts (`line N`), `kind: List` unwrapped."""
    loader = SAFE_LOADER(read_text(path))
    found: list[tuple[dict[str, Any], str]] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            document = loader.construct_document(node)
            if document is None:
                continue
            where = f"line {node.start_mark.line + 1}"
            if not isinstance(document, dict):
                raise BundleError(path, "a document must be a Kubernetes object", where=where)
            if _is_list(document):
                found.extend(_list_items(path, node, document))
            else:
                found.append((document, where))
    except yaml.YAMLError as error:
        raise BundleError(path, f"not valid YAML: {error}") from error
    finally:
        loader.dispose()
    return found


def object_key(path: Path, obj: dict[str, Any], where: str) -> ObjectKey:
    """Check the object's envelope and return what identifies it; `BundleError` if malformed."""
    kind = obj.get("kind")
    if not kind:
        raise BundleError(path, "object has no 'kind'", where=where)
    _string(path, where, "kind", kind, example="Pod")
    if not obj.get("apiVersion"):
        raise BundleError(path, f"{kind} has no 'apiVersion'", where=where)
    _string(path, where, "apiVersion", obj["apiVersion"], example="v1")
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise BundleError(path, f"{kind} has no 'metadata.name'", where=where)
    _string(path, where, "metadata.name", metadata["name"], example="web-1")
    namespace = metadata.get("namespace") or ""
    _string(path, where, "metadata.namespace", namespace, example="default")
    for field in ("labels", "annotations"):
        value = metadata.get(field)
        if value is not None and not isinstance(value, dict):
            raise BundleError(
                path,
                f"{kind} {metadata['name']}: metadata.{field} must be a mapping of "
                f"names to strings, not {_type_name(value)}",
                where=where,
            )
    if kind == "Pod":
        _check_pod_spec(path, obj, where)
    return obj["apiVersion"], kind, namespace, metadata["name"]


def container_names(pod: dict[str, Any]) -> set[str]:
    """The names of a Pod's containers of every group (checked by `object_key` first)."""
    spec = pod.get("spec") or {}
    return {
        container.get("name", "")
        for group in _CONTAINER_GROUPS
        for container in spec.get(group) or []
    }


def _check_pod_spec(path: Path, pod: dict[str, Any], where: str) -> None:
    name = pod["metadata"]["name"]
    spec = pod.get("spec")
    if spec is None:
        return
    if not isinstance(spec, dict):
        raise BundleError(
            path, f"Pod {name}: spec must be a mapping, not {_type_name(spec)}", where=where
        )
    for group in _CONTAINER_GROUPS:
        containers = spec.get(group)
        if containers is None:
            continue
        if not isinstance(containers, list):
            raise BundleError(
                path,
                f"Pod {name}: spec.{group} must be a list, not {_type_name(containers)}",
                where=where,
            )
        for index, container in enumerate(containers):
            if not isinstance(container, dict) or not isinstance(container.get("name"), str):
                raise BundleError(
                    path,
                    f"Pod {name}: spec.{group}[{index}] must be a container with a 'name'",
                    where=where,
                )


def _string(path: Path, where: str, field: str, value: Any, *, example: str) -> None:
    if not isinstance(value, str):
        raise BundleError(
            path,
            f"'{field}' must be a string such as {example!r}, not {_type_name(value)}",
            where=where,
        )


def _type_name(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", int: "a number"}
    return names.get(type(value), f"a {type(value).__name__}")


def _is_list(document: dict[str, Any]) -> bool:
    kind = document.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and "items" in document


def _list_items(
    path: Path, node: yaml.Node, document: dict[str, Any]
) -> list[tuple[dict[str, Any], str]]:
    items = document.get("items") or []
    if not isinstance(items, list):
        where = f"line {node.start_mark.line + 1}"
        raise BundleError(path, f"'items' must be a list, not {_type_name(items)}", where=where)
    item_nodes = next((value.value for key, value in node.value if key.value == "items"), [])
    # A typed list from the API (PodList) leaves kind and apiVersion off its items.
    item_kind = document["kind"][: -len("List")] if document["kind"] != "List" else None
    found = []
    for index, item in enumerate(items):
        line = item_nodes[index].start_mark.line + 1 if index < len(item_nodes) else 0
        where = f"line {line} (items[{index}])"
        if not isinstance(item, dict):
            raise BundleError(path, "a list item must be a Kubernetes object", where=where)
        if item_kind:
            item.setdefault("kind", item_kind)
            item.setdefault("apiVersion", document.get("apiVersion"))
        found.append((item, where))
    return found
