"""CEL functions of the failed-create and volume-mount-failure runbooks, on describe data."""

from holmes.agent.engine.rules.functions_admission import (
    create_denials,
    mount_failures,
    object_keys,
    volume_source,
)

WEBHOOK = (
    'pods "api-5f9b-" is forbidden: admission webhook "validation.gatekeeper.sh" denied the '
    'request: [must-have-owner] you must provide labels: {"owner"}'
)


def test_deployment_denial_read_from_its_replica_failure_condition():
    deployment = {
        "kind": "Deployment",
        "name": "shop/api",
        "events": [{"reason": "ScalingReplicaSet", "message": "Scaled up replica set api-5f9b"}],
        "conditions": [
            {"type": "Available", "status": "True"},
            {
                "type": "ReplicaFailure",
                "status": "True",
                "reason": "FailedCreate",
                "message": WEBHOOK,
            },
        ],
    }
    healthy = {"kind": "Deployment", "name": "shop/web", "events": [], "conditions": []}
    [found] = create_denials([healthy, deployment])
    assert found["kind"] == "webhook" and found["source"] == "condition"
    assert found["origin"] == "ReplicaFailure condition"
    assert found["workload"] == {
        "kind": "Deployment",
        "namespace": "shop",
        "name": "api",
        "ref": "deployment/api",
    }


def test_job_denial_read_from_its_events_with_count():
    job = {
        "kind": "Job",
        "name": "ml/sweep",
        "events": [
            {"reason": "FailedCreate", "count": 7, "message": "Error creating: " + WEBHOOK},
        ],
    }
    [found] = create_denials([job])
    assert (found["source"], found["count"], found["webhook"]) == (
        "event",
        7,
        "validation.gatekeeper.sh",
    )
    assert found["seen"] == "Warning FailedCreate on Job sweep x7"


def test_mount_failures_once_per_pod_and_object():
    message = 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found'
    pod = {
        "pod": "web-1",
        "namespace": "shop",
        "node": "n1",
        "status": "ContainerCreating",
        "events": [
            {"reason": "FailedMount", "count": 5, "message": message},
            {"reason": "FailedMount", "count": 2, "message": message},
            {"reason": "FailedMount", "message": "Unable to attach or mount volumes: timed out"},
        ],
    }
    [found] = mount_failures([pod])
    assert (found["object_name"], found["event"]["count"], found["pod"]) == ("app", 5, "web-1")


def test_volume_source_names_the_projected_object_and_keys():
    pod = {
        "spec": {
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "cache"}},
                {
                    "name": "cfg",
                    "configMap": {"name": "app", "items": [{"key": "a.yaml", "path": "a"}]},
                },
            ]
        }
    }
    assert volume_source(pod, "cfg") == {
        "kind": "ConfigMap",
        "name": "app",
        "keys": ["a.yaml"],
        "optional": False,
    }
    assert volume_source(pod, "data")["kind"] == "PersistentVolumeClaim"
    assert volume_source(pod, "nope")["kind"] == ""
    assert object_keys({"data": {"b": "1"}, "binaryData": {"a": ""}}) == ["a", "b"]


def _events_result(*records):
    return [{"ok": True, "data": {"events": list(records)}}]


def test_replica_set_events_told_as_their_deployments_and_others_ignored():
    deployment = {"kind": "Deployment", "name": "shop/api", "events": [], "conditions": []}
    ours = {
        "kind": "ReplicaSet",
        "namespace": "shop",
        "name": "api-5f9b",
        "reason": "FailedCreate",
        "count": 4,
        "message": "Error creating: " + WEBHOOK,
    }
    other = {**ours, "name": "api-gateway-7c8d"}  # another Deployment's ReplicaSet
    [found] = create_denials([deployment], _events_result(other, ours))
    assert found["workload"]["ref"] == "deployment/api"
    assert found["seen"] == "Warning FailedCreate on ReplicaSet api-5f9b of Deployment api x4"


def test_namespace_scope_takes_every_failed_create_event():
    record = {
        "kind": "Job",
        "namespace": "ml",
        "name": "sweep",
        "reason": "FailedCreate",
        "message": 'pods "sweep-x" is forbidden: maximum cpu usage per Pod is 8, but limit is 16',
    }
    [found] = create_denials([], _events_result(record))
    assert (found["kind"], found["workload"]["ref"]) == ("limit-range", "job/sweep")
