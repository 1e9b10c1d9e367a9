"""The bundle loader: good bundles load into the right models, bad ones name file and problem."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from holmes.evals import BundleError, load_bundle
from holmes.evals.series import expand_values, parse_selector
from tests.conftest import INCIDENTS, PEER_SUITE

SAMPLES = sorted(path.name for path in INCIDENTS.iterdir() if (path / "incident.yaml").exists())


def write_bundle(root: Path, incident: str, files: dict[str, str] | None = None) -> Path:
    """Write a minimal bundle folder named after its id."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "incident.yaml").write_text(incident)
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


INCIDENT = """id: demo
time: "2026-03-18T14:32:00Z"
question: Why?
"""

POD = """apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop}
spec:
  containers: [{name: app, image: nginx}]
"""


@pytest.mark.parametrize("incident_id", SAMPLES)
def test_sample_bundles_load(incident_id: str) -> None:
    bundle = load_bundle(INCIDENTS / incident_id)
    assert bundle.id == incident_id
    assert bundle.time.tzinfo is not None
    assert bundle.objects, "every sample bundle records Kubernetes objects"
    # Each alert's expectation (an incident with a webhook body has one per alert).
    assert all(
        bundle.expected_for(index).must_mention
        for index in range(max(1, len(bundle.incident.alerts)))
    )


def test_every_peer_suite_bundle_loads() -> None:
    bundles = [load_bundle(path) for path in sorted(PEER_SUITE.iterdir())]
    assert len(bundles) == 18
    assert all(bundle.incident.sources == ["kubernetes"] for bundle in bundles)


def test_crashloop_sample_has_the_previous_log_of_its_crashing_container() -> None:
    bundle = load_bundle(INCIDENTS / "crashloop-config-error")
    previous = [log for log in bundle.logs if log.previous]
    assert [(log.pod, log.container) for log in previous] == [
        ("llm-gateway-7c9d8f6b54-q2w4n", "gateway")
    ]
    assert "upstreams.1.url" in previous[0].text


def test_series_yaml_ends_at_the_incident_time() -> None:
    bundle = load_bundle(INCIDENTS / "gpu-xid-79-node-3")
    xid = next(
        s
        for s in bundle.series
        if s.name == "DCGM_FI_DEV_XID_ERRORS"
        and s.labels["Hostname"] == "gpu-node-3"
        and s.labels["gpu"] == "2"
    )
    end = bundle.time.timestamp()
    # '0x100 79x20': 101 zeros then 21 samples of 79, 30 s apart, the last one at `time`.
    assert len(xid.samples) == 122
    assert xid.samples[-1] == (end, 79.0)
    assert xid.samples[100] == (end - 21 * 30, 0.0)
    assert xid.samples[101] == (end - 20 * 30, 79.0)


def test_expected_is_kept_out_of_serialisation_and_repr() -> None:
    bundle = load_bundle(INCIDENTS / "crashloop-config-error")
    assert "expected" not in bundle.model_dump()
    assert "must_mention" not in repr(bundle)
    assert "expected" not in bundle.incident.model_dump()


def test_kind_list_items_and_typed_lists_are_unwrapped(tmp_path: Path) -> None:
    typed_list = """apiVersion: v1
kind: PodList
items:
- metadata: {name: web-2, namespace: shop}
  spec: {containers: [{name: app}]}
"""
    root = write_bundle(tmp_path / "demo", INCIDENT, {"kubernetes/pods.yaml": typed_list})
    (pod,) = load_bundle(root).objects
    assert (pod["apiVersion"], pod["kind"]) == ("v1", "Pod")


def test_unquoted_yaml_time_is_accepted_in_utc(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT.replace('"2026-03-18T14:32:00Z"', "2026-03-18T16:32:00+02:00")
    )
    assert load_bundle(root).time == datetime(2026, 3, 18, 14, 32, tzinfo=UTC)


# --- bad bundles -------------------------------------------------------------------------------


def test_missing_incident_yaml(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    with pytest.raises(BundleError, match=r"demo/incident\.yaml: missing"):
        load_bundle(tmp_path / "demo")


def test_time_not_rfc3339(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT.replace('"2026-03-18T14:32:00Z"', '"yesterday 14:32"')
    )
    with pytest.raises(
        BundleError, match=r"incident\.yaml:time: 'yesterday 14:32' is not an RFC 3339"
    ):
        load_bundle(root)


def test_time_without_zone(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "demo", INCIDENT.replace("14:32:00Z", "14:32:00"))
    with pytest.raises(BundleError, match=r"incident\.yaml:time: .*not an RFC 3339"):
        load_bundle(root)


def test_id_must_match_folder(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "other", INCIDENT)
    with pytest.raises(BundleError, match=r"incident\.yaml:id: id 'demo' differs from the folder"):
        load_bundle(root)


def test_bad_must_mention_regex_names_the_field(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "demo", INCIDENT + "expected:\n  must_mention: ['(unclosed']\n")
    with pytest.raises(BundleError, match=r"incident\.yaml:expected\.must_mention.*'\(unclosed'"):
        load_bundle(root)


def test_object_without_kind(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo",
        INCIDENT,
        {"kubernetes/pods.yaml": POD + "---\napiVersion: v1\nmetadata: {name: x}\n"},
    )
    with pytest.raises(BundleError, match=r"kubernetes/pods\.yaml:line 7: object has no 'kind'"):
        load_bundle(root)


def test_object_without_name_inside_a_list(tmp_path: Path) -> None:
    listing = (
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n"
        "  metadata: {namespace: shop}\n"
    )
    root = write_bundle(tmp_path / "demo", INCIDENT, {"kubernetes/pods.yaml": listing})
    with pytest.raises(
        BundleError, match=r"pods\.yaml:line 4 \(items\[0\]\): Pod has no 'metadata\.name'"
    ):
        load_bundle(root)


def test_duplicate_object_names_both_places(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT, {"kubernetes/a.yaml": POD, "kubernetes/b.yaml": POD}
    )
    with pytest.raises(BundleError, match=r"b\.yaml:line 1: Pod shop/web-1 is also in a\.yaml"):
        load_bundle(root)


def test_bad_series_expression(tmp_path: Path) -> None:
    series = "interval: 30s\nseries:\n- series: 'up{job=\"a\"}'\n  values: '1 2 3+x4'\n"
    root = write_bundle(tmp_path / "demo", INCIDENT, {"prometheus/series.yaml": series})
    with pytest.raises(BundleError, match=r"series\.yaml:series\[0\]\.values: .*bad value '3\+x4'"):
        load_bundle(root)


def test_bad_series_selector(tmp_path: Path) -> None:
    series = "series:\n- series: 'up{job=a}'\n  values: '1'\n"
    root = write_bundle(tmp_path / "demo", INCIDENT, {"prometheus/series.yaml": series})
    with pytest.raises(
        BundleError, match=r"series\.yaml:series\[0\]\.series: .*cannot read a label"
    ):
        load_bundle(root)


def test_openmetrics_millisecond_timestamps_are_refused(tmp_path: Path) -> None:
    om = 'up{job="a"} 1 1773844320000\n# EOF\n'
    root = write_bundle(tmp_path / "demo", INCIDENT, {"prometheus/up.om": om})
    with pytest.raises(BundleError, match=r"up\.om:1: timestamp 1773844320000 is not in seconds"):
        load_bundle(root)


def test_openmetrics_needs_eof_and_timestamps(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT, {"prometheus/up.om": 'up{job="a"} 1 1773844320\n'}
    )
    with pytest.raises(BundleError, match=r"up\.om: does not end with a '# EOF' line"):
        load_bundle(root)
    (root / "prometheus" / "up.om").write_text('up{job="a"} 1\n# EOF\n')
    with pytest.raises(BundleError, match=r"up\.om:1: .*needs a timestamp"):
        load_bundle(root)


def test_flow_line_that_is_not_json_is_skipped_and_named(tmp_path: Path) -> None:
    flows = '{"flow": {"verdict": "DROPPED"}}\n{"flow": {"verdict": \n[1, 2]\n'
    root = write_bundle(tmp_path / "demo", INCIDENT, {"hubble/flows.jsonl": flows})
    bundle = load_bundle(root)
    assert [record.line for record in bundle.flows] == [1]
    assert [(s.line, s.reason.split(":")[0]) for s in bundle.flow_skipped] == [
        (2, "not a JSON object"),
        (3, "not a JSON object"),
    ]


def test_log_folder_for_a_pod_the_bundle_does_not_have(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo",
        INCIDENT,
        {"kubernetes/pods.yaml": POD, "logs/shop/web-2/app.log": "hello\n"},
    )
    with pytest.raises(
        BundleError, match=r"logs/shop/web-2/app\.log: the bundle has no Pod shop/web-2"
    ):
        load_bundle(root)


def test_log_for_a_container_the_pod_does_not_have(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo",
        INCIDENT,
        {"kubernetes/pods.yaml": POD, "logs/shop/web-1/sidecar.previous.log": "x\n"},
    )
    with pytest.raises(BundleError, match=r"has no container 'sidecar' \(it has app\)"):
        load_bundle(root)


def test_data_of_a_source_not_listed(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT + "sources: [kubernetes]\n", {"hubble/flows.jsonl": "{}\n"}
    )
    with pytest.raises(BundleError, match=r"incident\.yaml:sources: the bundle has hubble data"):
        load_bundle(root)


def test_copy_of_a_sample_with_a_broken_object_fails(tmp_path: Path) -> None:
    root = tmp_path / "crashloop-config-error"
    shutil.copytree(INCIDENTS / "crashloop-config-error", root)
    pods = root / "kubernetes" / "pods.yaml"
    pods.write_text(pods.read_text().replace("  kind: Pod\n", "  kind: ''\n", 1))
    with pytest.raises(
        BundleError, match=r"pods\.yaml:line \d+ \(items\[0\]\): object has no 'kind'"
    ):
        load_bundle(root)


# --- the expanding notation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notation", "values"),
    [
        ("-2+4x3", [-2, 2, 6, 10]),
        ("1-2x4", [1, -1, -3, -5, -7]),
        ("1x4", [1, 1, 1, 1, 1]),
        ("1 _x3 stale", [1, None, None, None, None]),
        ("0.5 _ 1e3", [0.5, None, 1000]),
    ],
)
def test_expand_values(notation: str, values: list[float | None]) -> None:
    assert expand_values(notation) == values


def test_parse_selector_unescapes_label_values() -> None:
    assert parse_selector(r'm{a="x\"y",b="1\\2"}') == ("m", {"a": 'x"y', "b": "1\\2"})


@pytest.mark.parametrize(
    ("envelope", "message"),
    [
        ("kind: [Pod, Service]\nmetadata: {name: x, namespace: shop}", "'kind' must be a string"),
        ("kind: {a: 1}\nmetadata: {name: x, namespace: shop}", "'kind' must be a string"),
        ("kind: Pod\nmetadata: {name: x, namespace: [a, b]}", "'metadata.namespace' must be a"),
        ("kind: Pod\nmetadata: {name: x, namespace: {a: 1}}", "'metadata.namespace' must be a"),
        ("kind: Pod\nmetadata: {name: [x], namespace: shop}", "'metadata.name' must be a string"),
        ("kind: ConfigMap\nmetadata: {name: x, labels: [a]}", "metadata.labels must be a mapping"),
        ("kind: Pod\nmetadata: {name: x}\nspec: [1]", "Pod x: spec must be a mapping"),
        ("kind: Pod\nmetadata: {name: x}\nspec: {containers: abc}", "spec.containers must be a"),
        ("kind: Pod\nmetadata: {name: x}\nspec: {containers: [{}]}", r"spec.containers\[0\] must"),
    ],
)
def test_malformed_object_envelope_names_file_line_and_field(
    tmp_path: Path, envelope: str, message: str
) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT, {"kubernetes/extra.yaml": f"apiVersion: v1\n{envelope}\n"}
    )
    with pytest.raises(BundleError, match=rf"kubernetes/extra\.yaml:line 1: .*{message}"):
        load_bundle(root)


def test_kind_as_a_mapping_names_what_it_found(tmp_path: Path) -> None:
    root = write_bundle(
        tmp_path / "demo",
        INCIDENT,
        {"kubernetes/x.yaml": "apiVersion: v1\nkind: {a: 1}\nmetadata: {name: x}\n"},
    )
    with pytest.raises(BundleError) as caught:
        load_bundle(root)
    assert str(caught.value).endswith("'kind' must be a string such as 'Pod', not a mapping")


@pytest.mark.parametrize(
    "relative", ["incident.yaml", "kubernetes/pods.yaml", "hubble/flows.jsonl"]
)
def test_bytes_that_are_not_utf8_name_the_file_and_line(tmp_path: Path, relative: str) -> None:
    root = write_bundle(
        tmp_path / "demo", INCIDENT, {"kubernetes/pods.yaml": POD, "hubble/flows.jsonl": ""}
    )
    path = root / relative
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    lines = path.read_bytes().count(b"\n")
    with pytest.raises(BundleError) as caught:
        load_bundle(root)
    assert str(caught.value) == (
        f"{path}:line {lines}: not UTF-8: byte 0xe9 cannot be decoded (save the file as UTF-8)"
    )


def test_a_log_that_is_not_utf8_is_read_with_replacement(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "demo", INCIDENT, {"kubernetes/pods.yaml": POD})
    log = root / "logs/shop/web-1/app.log"
    log.parent.mkdir(parents=True)
    log.write_bytes(b"started\nbinary \xff\xfe here\n")
    assert load_bundle(root).logs[0].text == "started\nbinary \ufffd\ufffd here\n"


@pytest.mark.parametrize(
    "folder", ["logs/shop/web-1/app.log", "kubernetes/more.yaml", "prometheus/up.om"]
)
def test_a_folder_where_a_file_belongs_is_named(tmp_path: Path, folder: str) -> None:
    root = write_bundle(tmp_path / "demo", INCIDENT, {"kubernetes/pods.yaml": POD})
    (root / folder).mkdir(parents=True)
    with pytest.raises(BundleError, match=rf"{folder}: is a folder"):
        load_bundle(root)


def test_a_blank_question_without_an_alert_is_refused(tmp_path: Path) -> None:
    root = write_bundle(tmp_path / "demo", INCIDENT.replace("Why?", "'   '"))
    with pytest.raises(BundleError, match=r"incident\.yaml: a bundle needs a 'question'"):
        load_bundle(root)
