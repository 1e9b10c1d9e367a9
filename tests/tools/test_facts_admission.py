"""The FailedCreate and FailedMount wording of the API server and kubelet, parsed into facts."""

import pytest

from holmes.tools.facts.admission import create_denial, mount_failure

QUOTA = (
    'Error creating: pods "train-7d9f8-x2k4p" is forbidden: exceeded quota: compute-quota, '
    "requested: limits.memory=64Gi,requests.memory=64Gi, used: limits.memory=200Gi,"
    "requests.memory=180Gi, limited: limits.memory=256Gi,requests.memory=200Gi"
)


def test_quota_pairs_requested_used_and_hard_by_resource():
    denial = create_denial(QUOTA)
    assert denial is not None and denial.kind == "quota"
    assert denial.quota == "compute-quota" and denial.pod == "train-7d9f8-x2k4p"
    by_name = {r.resource: r for r in denial.resources}
    assert by_name["requests.memory"].model_dump() == {
        "resource": "requests.memory",
        "requested": "64Gi",
        "used": "180Gi",
        "hard": "200Gi",
    }
    assert by_name["limits.memory"].hard == "256Gi"
    assert "requests.memory requested 64Gi, used 180Gi of hard 200Gi" in denial.summary()


def test_quota_that_requires_resources():
    denial = create_denial(
        'pods "web-abc" is forbidden: failed quota: compute-quota: must specify '
        "limits.cpu for: app; requests.memory for: app"
    )
    assert denial is not None and denial.kind == "quota-unspecified"
    assert denial.quota == "compute-quota"
    assert denial.missing == "limits.cpu for: app; requests.memory for: app"


def test_pod_security_violations_keep_nested_parentheses():
    denial = create_denial(
        'Error creating: pods "agent-x" is forbidden: violates PodSecurity "restricted:v1.33": '
        'allowPrivilegeEscalation != false (container "agent" must set '
        "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "
        '"agent" must set securityContext.capabilities.drop=["ALL"]; container "agent" must not '
        'include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces '
        "(hostNetwork=true)"
    )
    assert denial is not None and denial.kind == "pod-security"
    assert (denial.level, denial.version) == ("restricted", "v1.33")
    assert [v.check for v in denial.violations] == [
        "allowPrivilegeEscalation != false",
        "unrestricted capabilities",
        "host namespaces",
    ]
    assert denial.violations[2].detail == "hostNetwork=true"


@pytest.mark.parametrize(
    ("message", "kind", "name"),
    [
        (
            'Error creating: admission webhook "validate.kyverno.svc-fail" denied the request: '
            "policy Pod/ml/x for resource violation: require-requests-limits",
            "webhook",
            "validate.kyverno.svc-fail",
        ),
        (
            'Error creating: Internal error occurred: failed calling webhook "mpod.kb.io": '
            'failed to call webhook: Post "https://policy-webhook.policy.svc:443/mutate?'
            'timeout=10s": dial tcp 10.96.3.4:443: connect: connection refused',
            "webhook-unreachable",
            "mpod.kb.io",
        ),
    ],
)
def test_webhooks(message, kind, name):
    denial = create_denial(message)
    assert denial is not None and (denial.kind, denial.webhook) == (kind, name)


def test_limit_range_sentences_each_kept():
    denial = create_denial(
        'pods "a-0" is forbidden: [maximum memory usage per Container is 8Gi, but limit is '
        "16Gi, minimum cpu usage per Container is 100m, but request is 50m]"
    )
    assert denial is not None and denial.kind == "limit-range"
    assert denial.limits == [
        "maximum memory usage per Container is 8Gi, but limit is 16Gi",
        "minimum cpu usage per Container is 100m, but request is 50m",
    ]


def test_not_a_denial():
    assert create_denial("Created pod: web-5d4f-abcde") is None
    assert mount_failure("Unable to attach or mount volumes: timed out") is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found',
            ("configmap", "cfg", "ConfigMap", "app-config", ""),
        ),
        (
            'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found',
            ("secret", "tls", "Secret", "web-tls", ""),
        ),
        (
            'MountVolume.SetUp failed for volume "tls" : secret references non-existent '
            "secret key: tls.key",
            ("secret-key", "tls", "Secret", "", "tls.key"),
        ),
        (
            '0/4 nodes are available: persistentvolumeclaim "data" not found. preemption: '
            "0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
            ("pvc", "", "PersistentVolumeClaim", "data", ""),
        ),
    ],
)
def test_mount_failures(message, expected):
    found = mount_failure(message)
    assert found is not None
    assert (found.kind, found.volume, found.object_kind, found.object_name, found.key) == expected
