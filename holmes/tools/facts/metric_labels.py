"""Label conventions of metrics: which labels name the workload and which name the node.

Every Prometheus tool, the PromQL they build, and alert intake read identity through here.

Workload. A scrape with `honorLabels: false` (the default of the gpu-operator's and the
dcgm-exporter chart's ServiceMonitor) renames the exporter's own `namespace`/`pod`/`container`
to `exported_namespace`/`exported_pod`/`exported_container` and sets `namespace`/`pod` to the
exporter's pod. So the workload is `exported_*` when a series carries them, else the plain
labels, else dcgm-exporter's `--use-old-namespace` spellings. A series of such a scrape whose GPU
holds no pod has no `exported_*` at all (Prometheus renames only non-empty labels): its plain
labels are the exporter's, which `scrape_targets()` recognises from the other series of the batch.

Node. `Hostname` (released dcgm-exporter), `hostname` (its main branch), `node`,
`kubernetes_node`, then the host part of `instance`. A candidate that is a pod's name (the
exporter run without its node-name setting reports its own pod name as hostname) is skipped, and
when the cluster's nodes are known a candidate must be one of them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

# (namespace, pod, container) label families, most specific first.
EXPORTED = ("exported_namespace", "exported_pod", "exported_container")
PLAIN = ("namespace", "pod", "container")
OLD = ("pod_namespace", "pod_name", "container_name")
FAMILIES = (EXPORTED, PLAIN, OLD)
NODE_LABELS = ("Hostname", "hostname", "node", "kubernetes_node", "instance")
# Pod and container names of the exporters themselves: their labels never name a workload.
_EXPORTER_NAME = re.compile(r"dcgm-exporter|dcgm_exporter")
_REGEX_SPECIAL = re.compile(r"[.+*?()\[\]{}|^$\\]")
_PORT = re.compile(r"^\[?(?P<host>[^\]]*?)\]?(?::\d+)?$")


@dataclass(frozen=True)
class Workload:
    """The pod a series is about ("" fields when it names none)."""

    namespace: str = ""
    pod: str = ""
    container: str = ""

    @property
    def ref(self) -> str:
        """`namespace/pod`, the pod alone without a namespace, "" without a pod."""
        if not self.pod:
            return ""
        return f"{self.namespace}/{self.pod}" if self.namespace else self.pod


def _family_values(labels: Mapping[str, str], family: tuple[str, str, str]) -> Workload:
    return Workload(*(labels.get(name) or "" for name in family))


def is_exporter_pod(workload: Workload) -> bool:
    """Whether a pod/container is a metrics exporter itself (dcgm-exporter), not a workload."""
    return bool(_EXPORTER_NAME.search(workload.pod) or _EXPORTER_NAME.search(workload.container))


def is_gpu_series(labels: Mapping[str, str]) -> bool:
    """Whether labels are a GPU's (a DCGM metric, or the exporter's gpu/UUID labels)."""
    name = labels.get("__name__") or ""
    return name.startswith("DCGM_") or any(k in labels for k in ("gpu", "UUID", "uuid"))


def workload_of(
    labels: Mapping[str, str], scrape_targets: Collection[tuple[str, str]] = ()
) -> Workload:
    """The workload a series names: `exported_*` when set, else `namespace`/`pod`, else the old
    `pod_namespace`/`pod_name`. On a GPU series, plain labels naming a scrape target
    (`scrape_targets`, from `scrape_targets()`) or dcgm-exporter's own pod are the scraper's,
    not a workload: empty result."""
    exported = _family_values(labels, EXPORTED)
    if exported.pod or exported.namespace:
        return exported
    plain = _family_values(labels, PLAIN)
    if plain.pod:
        scraper = (plain.namespace, plain.pod) in scrape_targets
        if scraper or (is_exporter_pod(plain) and is_gpu_series(labels)):
            return Workload()
        return plain
    old = _family_values(labels, OLD)
    return old if old.pod else Workload(namespace=plain.namespace or old.namespace)


def scrape_targets(series_labels: Iterable[Mapping[str, str]]) -> set[tuple[str, str]]:
    """The (namespace, pod) of scrape targets: the plain labels of series that carry
    `exported_*`, whose plain labels therefore name the exporter that was scraped."""
    found: set[tuple[str, str]] = set()
    for labels in series_labels:
        if labels.get("exported_pod") or labels.get("exported_namespace"):
            found.add((labels.get("namespace") or "", labels.get("pod") or ""))
    return found


RELABELLED_NOTE = (
    "exported_namespace/exported_pod/exported_container name the workload; namespace/pod on "
    "those series are the scraped exporter's (honorLabels: false)"
)


def exported_workload(labels: Mapping[str, str]) -> bool:
    """Whether a series carries the workload in `exported_*` (an honorLabels: false scrape)."""
    return bool(labels.get("exported_pod") or labels.get("exported_namespace"))


def host_part(instance: str) -> str:
    """`gpu-node-3:9400` -> `gpu-node-3`; `[fd00::1]:9400` -> `fd00::1`."""
    match = _PORT.match(instance.strip())
    return match["host"] if match else instance


def node_candidates(labels: Mapping[str, str]) -> list[str]:
    """Node names a series offers, in order of trust; pod names (its own or its workload's) are
    not nodes and are left out."""
    pods = {labels.get(name) for family in FAMILIES for name in family[1:2]} - {None, ""}
    found: list[str] = []
    for name in NODE_LABELS:
        value = labels.get(name) or ""
        value = host_part(value) if name == "instance" else value
        if value and value not in pods and value not in found and not _looks_like_exporter(value):
            found.append(value)
    return found


def _looks_like_exporter(value: str) -> bool:
    return bool(_EXPORTER_NAME.search(value))


def node_of(labels: Mapping[str, str], known_nodes: Collection[str] | None = None) -> str:
    """The node of a series: the first candidate that is a cluster node when the nodes are
    known (`known_nodes`), else the first candidate; "" when none fits."""
    candidates = node_candidates(labels)
    if known_nodes:
        return next((c for c in candidates if c in known_nodes), "")
    return candidates[0] if candidates else ""


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def node_matchers(node: str) -> list[list[str]]:
    """One matcher list per node label spelling (an `or` of them selects the node)."""
    variants = [[f"{name}={_quote(node)}"] for name in NODE_LABELS if name != "instance"]
    literal = _REGEX_SPECIAL.sub(r"\\\g<0>", node)
    variants.append([f"instance=~{_quote(literal + '(:[0-9]+)?')}"])
    return variants


def workload_matchers(namespace: str | None = None, pod: str | None = None) -> list[list[str]]:
    """One matcher list per workload label family (an `or` of them selects the workload).

    The plain family requires `exported_pod=""` (label absent), so that a series relabelled by
    an `honorLabels: false` scrape is matched only by its workload, not by its exporter.
    """
    if not namespace and not pod:
        return [[]]
    variants: list[list[str]] = []
    for namespace_label, pod_label, _ in FAMILIES:
        matchers = [f"{namespace_label}={_quote(namespace)}"] if namespace else []
        matchers += [f"{pod_label}={_quote(pod)}"] if pod else []
        if namespace_label == "namespace":
            matchers += ['exported_pod=""', 'exported_namespace=""']
        variants.append(matchers)
    return variants


def matcher_variants(
    *,
    node: str | None = None,
    namespace: str | None = None,
    pod: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Matcher lists for every spelling of the labels filtered on: node spellings times
    workload families, each with the `extra` equality matchers (e.g. `gpu`)."""
    base = [f"{name}={_quote(value)}" for name, value in (extra or {}).items()]
    hosts = node_matchers(node) if node else [[]]
    return [base + h + w for h in hosts for w in workload_matchers(namespace, pod)]


def selector(metric: str, matchers: list[str]) -> str:
    """`metric{m1,m2}` (or a `{__name__...}`-style selector when `metric` starts with `{`)."""
    if metric.startswith("{"):
        inner = ",".join([metric[1:-1], *matchers]) if matchers else metric[1:-1]
        return "{" + inner + "}"
    return f"{metric}{{{','.join(matchers)}}}" if matchers else metric


def any_selector(metric: str, variants: list[list[str]]) -> str:
    """An `or` of `metric` under each matcher variant."""
    return " or ".join(selector(metric, v) for v in variants)
