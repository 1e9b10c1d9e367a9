"""DRA objects of older API versions through the tools and the replay: discovery picks the
version the cluster serves (a bundle of v1beta1 objects is served as v1beta1 only, like a
cluster that predates v1), and the facts read the v1beta1 and v1beta2 layouts."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from holmes.evals import load_bundle
from holmes.evals.replay.kubernetes_resources import ResourceTable
from tests.conftest import INCIDENTS

V1BETA1 = "dra-claim-selector-error-v1beta1-semver"
V1BETA2 = "dra-claim-firstavailable-fallback-taken-v1beta2"


def test_the_replay_serves_the_recorded_dra_version_only() -> None:
    table = ResourceTable(load_bundle(INCIDENTS / V1BETA1).objects)
    assert table.groups()["resource.k8s.io"] == ["v1beta1"]
    assert {t.plural for t in table.in_version("resource.k8s.io", "v1beta1")} >= {
        "deviceclasses",
        "resourceclaims",
        "resourceclaimtemplates",
        "resourceslices",
    }
    assert ResourceTable([]).groups()["resource.k8s.io"] == ["v1"]


def test_v1_is_not_served_by_a_v1beta1_replay(replayed) -> None:
    url = replayed(V1BETA1).kubernetes_url
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{url}/apis/resource.k8s.io/v1", timeout=5)
    assert missing.value.code == 404
    with urllib.request.urlopen(f"{url}/apis/resource.k8s.io/v1beta1", timeout=5) as found:
        assert found.status == 200


async def test_asking_for_v1_reads_the_served_version(call) -> None:
    template = await call(
        "kubernetes_get",
        V1BETA1,
        kind="ResourceClaimTemplate",
        api_version="resource.k8s.io/v1",
        namespace="cv-research",
        name="a100-80gb-preferred",
    )
    assert template.ok, template.error
    assert template.data["apiVersion"] == "resource.k8s.io/v1beta1"
    assert "firstAvailable:" in template.text and "name: a100-80gb" in template.text

    slices = await call("kubernetes_list", V1BETA2, kind="ResourceSlice")
    assert slices.ok, slices.error
    assert "(resource.k8s.io/v1beta2)" in slices.text.splitlines()[0]


async def test_node_view_reads_v1beta1_devices_under_basic(call) -> None:
    node = await call("kubernetes_node", V1BETA1, name="a100-node-01")
    assert node.ok, node.error
    assert "4 devices (4 x NVIDIA A100-SXM4-80GB)" in node.text
