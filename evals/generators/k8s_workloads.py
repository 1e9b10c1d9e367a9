"""Builders of Kubernetes objects in the shape `kubectl get -o yaml` prints: Deployments,
ReplicaSets, pods with their container states, Services, EndpointSlices, events, RBAC objects.
Used by resolve_incidents.py."""

import hashlib
import uuid
from datetime import UTC, timedelta
from pathlib import Path

import yaml


def uid(*parts):
    return str(uuid.UUID(hashlib.md5("/".join(parts).encode()).hexdigest()))


def ts(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def at(base, minutes=0, hours=0, days=0, seconds=0):
    return base + timedelta(minutes=minutes, hours=hours, days=days, seconds=seconds)


RV = [4100000]


def rv():
    RV[0] += 37
    return str(RV[0])


def meta(kind, ns, name, created, labels=None, annotations=None, owner=None, gen=None):
    m = {"name": name}
    if ns:
        m["namespace"] = ns
    m["uid"] = uid(kind, ns or "", name)
    m["resourceVersion"] = rv()
    if gen is not None:
        m["generation"] = gen
    m["creationTimestamp"] = ts(created)
    if labels:
        m["labels"] = dict(labels)
    if annotations:
        m["annotations"] = dict(annotations)
    if owner:
        okind, oname, oversion = owner
        m["ownerReferences"] = [
            {
                "apiVersion": oversion,
                "kind": okind,
                "name": oname,
                "uid": uid(okind, ns or "", oname),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    return m


def namespace(name, created):
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": name,
            "uid": uid("Namespace", name),
            "resourceVersion": rv(),
            "creationTimestamp": ts(created),
            "labels": {"kubernetes.io/metadata.name": name},
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(name, ip, created, now, labels=None, cpu="32", mem="131791852Ki", gpus=None):
    lab = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": "m6i.8xlarge",
        "topology.kubernetes.io/zone": "eu-west-1a",
    }
    lab.update(labels or {})
    cap = {"cpu": cpu, "memory": mem, "pods": "110", "ephemeral-storage": "203070420Ki"}
    if gpus:
        cap["nvidia.com/gpu"] = str(gpus)
    conds = []
    for t, s, r, msg in (
        (
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ):
        conds.append(
            {
                "type": t,
                "status": s,
                "lastHeartbeatTime": ts(at(now, seconds=-40)),
                "lastTransitionTime": ts(created),
                "reason": r,
                "message": msg,
            }
        )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid("Node", name),
            "resourceVersion": rv(),
            "creationTimestamp": ts(created),
            "labels": lab,
        },
        "spec": {"podCIDR": f"10.244.{int(ip.split('.')[-1]) % 250}.0/24"},
        "status": {
            "capacity": cap,
            "allocatable": dict(cap),
            "conditions": conds,
            "addresses": [
                {"type": "InternalIP", "address": ip},
                {"type": "Hostname", "address": name},
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.34.1",
                "containerRuntimeVersion": "containerd://2.1.4",
                "osImage": "Ubuntu 24.04.3 LTS",
                "kernelVersion": "6.8.0-1031-aws",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        },
    }


def container(
    name,
    image,
    ports=None,
    env=None,
    env_from=None,
    mounts=None,
    limits=None,
    requests=None,
    args=None,
    readiness=None,
):
    c = {"name": name, "image": image}
    if args:
        c["args"] = args
    if ports:
        c["ports"] = [{"containerPort": p, "name": n, "protocol": "TCP"} for n, p in ports]
    if env:
        c["env"] = env
    if env_from:
        c["envFrom"] = env_from
    c["resources"] = {}
    if limits:
        c["resources"]["limits"] = limits
    if requests:
        c["resources"]["requests"] = requests
    if readiness:
        c["readinessProbe"] = {
            "httpGet": {"path": readiness[0], "port": readiness[1], "scheme": "HTTP"},
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    c["volumeMounts"] = list(mounts or [])
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    c["imagePullPolicy"] = "IfNotPresent"
    return c


def running(started, restarts=0, ready=True, last=None):
    s = {
        "ready": ready,
        "restartCount": restarts,
        "started": True,
        "state": {"running": {"startedAt": ts(started)}},
    }
    s["lastState"] = {"terminated": last} if last else {}
    return s


def waiting(reason, message, restarts=0, last=None):
    s = {
        "ready": False,
        "restartCount": restarts,
        "started": False,
        "state": {"waiting": {"reason": reason, **({"message": message} if message else {})}},
    }
    s["lastState"] = {"terminated": last} if last else {}
    return s


def terminated(reason, code, started, finished):
    return {
        "exitCode": code,
        "reason": reason,
        "startedAt": ts(started),
        "finishedAt": ts(finished),
        "containerID": "containerd://"
        + hashlib.sha256((reason + ts(started)).encode()).hexdigest(),
    }


def pod(
    ns,
    name,
    owner,
    labels,
    containers,
    statuses,
    node_name,
    node_ip,
    pod_ip,
    created,
    sa="default",
    volumes=None,
    now=None,
    phase="Running",
    init=None,
    init_statuses=None,
):
    spec = {}
    if init:
        spec["initContainers"] = init
    spec["containers"] = containers
    token = f"kube-api-access-{hashlib.md5(name.encode()).hexdigest()[:5]}"
    for c in containers:
        c["volumeMounts"] = [
            *c.get("volumeMounts", []),
            {
                "name": token,
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": True,
            },
        ]
    vols = list(volumes or [])
    vols.append(
        {
            "name": token,
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "name": "kube-root-ca.crt",
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "path": "namespace",
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                }
                            ]
                        }
                    },
                ],
            },
        }
    )
    spec.update(
        {
            "volumes": vols,
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccountName": sa,
            "serviceAccount": sa,
            "nodeName": node_name,
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "enableServiceLinks": True,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "tolerations": [
                {
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
                {
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "effect": "NoExecute",
                    "tolerationSeconds": 300,
                },
            ],
        }
    )
    cstat = []
    for c, s in zip(containers, statuses, strict=False):
        st = {
            "name": c["name"],
            "image": c["image"],
            "imageID": c["image"].split(":")[0]
            + "@sha256:"
            + hashlib.sha256(c["image"].encode()).hexdigest(),
        }
        if "running" in s["state"] or s.get("lastState"):
            st["containerID"] = (
                "containerd://" + hashlib.sha256((name + c["name"]).encode()).hexdigest()
            )
        st.update(s)
        cstat.append(st)
    all_ready = all(s["ready"] for s in statuses)
    not_ready = [c["name"] for c, s in zip(containers, statuses, strict=False) if not s["ready"]]
    conds = [
        {
            "type": "PodReadyToStartContainers",
            "status": "True",
            "lastTransitionTime": ts(at(created, seconds=3)),
        },
        {"type": "Initialized", "status": "True", "lastTransitionTime": ts(at(created, seconds=2))},
    ]
    for t in ("Ready", "ContainersReady"):
        c = {
            "type": t,
            "status": "True" if all_ready else "False",
            "lastTransitionTime": ts(at(created, seconds=40) if all_ready else at(now, minutes=-9)),
        }
        if not all_ready:
            c["reason"] = "ContainersNotReady"
            c["message"] = f"containers with unready status: [{' '.join(not_ready)}]"
        conds.append(c)
    conds.append(
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": ts(at(created, seconds=1))}
    )
    status = {
        "phase": phase,
        "conditions": conds,
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": ts(at(created, seconds=1)),
    }
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = cstat
    status["qosClass"] = "Burstable"
    okind, oname = owner
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta(
            "Pod",
            ns,
            name,
            created,
            labels=labels,
            owner=(okind, oname, "apps/v1") if okind else None,
        ),
        "spec": spec,
        "status": status,
    }


def deployment(
    ns,
    name,
    labels,
    template_containers,
    replicas,
    ready,
    updated,
    created,
    revision,
    sa="default",
    volumes=None,
    progressing_ok=True,
    now=None,
):
    sel = {k: v for k, v in labels.items() if k in ("app", "app.kubernetes.io/name", "component")}
    tpl_spec = {"serviceAccountName": sa, "containers": template_containers}
    if volumes:
        tpl_spec["volumes"] = volumes
    available = ready >= replicas
    conds = [
        {
            "type": "Available",
            "status": "True" if available else "False",
            "lastUpdateTime": ts(at(now, minutes=-30) if not available else created),
            "lastTransitionTime": ts(at(now, minutes=-30) if not available else created),
            "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
            "message": "Deployment has minimum availability."
            if available
            else "Deployment does not have minimum availability.",
        },
        {
            "type": "Progressing",
            "status": "True",
            "lastUpdateTime": ts(at(now, minutes=-20)),
            "lastTransitionTime": ts(created),
            "reason": "NewReplicaSetAvailable" if progressing_ok else "ReplicaSetUpdated",
            "message": f'ReplicaSet "{name}" has successfully progressed.'
            if progressing_ok
            else f'ReplicaSet "{name}" is progressing.',
        },
    ]
    st = {
        "observedGeneration": revision,
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": conds,
    }
    if ready < replicas:
        st["unavailableReplicas"] = replicas - ready
    if not ready:
        del st["readyReplicas"], st["availableReplicas"]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(
            "Deployment",
            ns,
            name,
            created,
            labels=labels,
            annotations={"deployment.kubernetes.io/revision": str(revision)},
            gen=revision,
        ),
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": sel},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {"metadata": {"labels": dict(labels)}, "spec": tpl_spec},
        },
        "status": st,
    }


def replicaset(
    ns, deploy, hash_, labels, containers, replicas, ready, created, revision, sa="default"
):
    lab = dict(labels, **{"pod-template-hash": hash_})
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": meta(
            "ReplicaSet",
            ns,
            f"{deploy}-{hash_}",
            created,
            labels=lab,
            annotations={
                "deployment.kubernetes.io/revision": str(revision),
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
            },
            owner=("Deployment", deploy, "apps/v1"),
            gen=1,
        ),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": lab},
            "template": {
                "metadata": {"labels": lab},
                "spec": {"serviceAccountName": sa, "containers": containers},
            },
        },
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": 1,
        },
    }


def service(ns, name, selector, ports, created, ip):
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta("Service", ns, name, created, labels={"app": name}),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "selector": selector,
            "ports": [
                {"name": n, "port": p, "targetPort": t, "protocol": "TCP"} for n, p, t in ports
            ],
            "sessionAffinity": "None",
            "internalTrafficPolicy": "Cluster",
        },
        "status": {"loadBalancer": {}},
    }


def endpointslice(ns, svc, suffix, endpoints, ports, created):
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": meta(
            "EndpointSlice",
            ns,
            f"{svc}-{suffix}",
            created,
            labels={
                "kubernetes.io/service-name": svc,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
            owner=("Service", svc, "v1"),
        ),
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": [ip],
                "conditions": {"ready": ready, "serving": ready, "terminating": False},
                "nodeName": node,
                "targetRef": {
                    "kind": "Pod",
                    "namespace": ns,
                    "name": pod,
                    "uid": uid("Pod", ns, pod),
                },
            }
            for pod, ip, node, ready in endpoints
        ],
        "ports": [{"name": n, "port": t, "protocol": "TCP"} for n, _, t in ports],
    }


def event(
    ns,
    kind,
    name,
    reason,
    message,
    first,
    last,
    count=1,
    type_="Normal",
    component="kubelet",
    host=None,
    field_path=None,
    api_version="v1",
):
    inv = {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "namespace": ns,
        "uid": uid(kind, ns, name),
    }
    if field_path:
        inv["fieldPath"] = field_path
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{name}.{hashlib.md5((reason + message + ts(first)).encode()).hexdigest()[:16]}",
            "namespace": ns,
            "uid": uid("Event", ns, name, reason, message),
            "resourceVersion": rv(),
            "creationTimestamp": ts(first),
        },
        "involvedObject": inv,
        "reason": reason,
        "message": message,
        "source": {"component": component, **({"host": host} if host else {})},
        "firstTimestamp": ts(first),
        "lastTimestamp": ts(last),
        "count": count,
        "type": type_,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": host or "",
    }


def configmap(ns, name, data, created, labels=None):
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta("ConfigMap", ns, name, created, labels=labels),
        "data": data,
    }


def secret_meta(ns, name, created, type_="Opaque"):
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": meta("Secret", ns, name, created),
        "type": type_,
    }


def service_account(ns, name, created):
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": meta("ServiceAccount", ns, name, created),
    }


def role(ns, name, rules, created):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": meta("Role", ns, name, created),
        "rules": rules,
    }


def role_binding(ns, name, role_name, accounts, created):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": meta("RoleBinding", ns, name, created),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role_name},
        "subjects": [{"kind": "ServiceAccount", "name": a, "namespace": ns} for a in accounts],
    }


def as_list(items):
    return {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}}


def write_bundle(root, incident, files, logs):
    root = Path(root)
    (root / "kubernetes").mkdir(parents=True, exist_ok=True)
    (root / "incident.yaml").write_text(yaml.safe_dump(incident, sort_keys=False, width=110))
    for name, items in files.items():
        (root / "kubernetes" / f"{name}.yaml").write_text(
            yaml.safe_dump(as_list(items), sort_keys=False, width=110)
        )
    for (ns, pod_name, cname), text in logs.items():
        path = root / "logs" / ns / pod_name / f"{cname}.log"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
