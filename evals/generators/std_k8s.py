"""Helpers that write realistic Kubernetes objects for incident bundles."""

import datetime as dt
import hashlib
import os
import uuid

import yaml


def uid(*parts):
    return str(uuid.UUID(hashlib.md5("/".join(parts).encode()).hexdigest()))


def h(*parts, n=10):
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:n]


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ")


def rv(*parts):
    return str(40000000 + int(h(*parts, n=6), 16) % 9000000)


def node(
    name,
    zone,
    itype,
    created,
    now,
    cpu="8",
    mem_ki=33173504,
    alloc_cpu="7910m",
    alloc_mem="30656922Ki",
    labels=None,
    taints=None,
    unschedulable=False,
    ready=True,
    pressure=None,
    gpu=None,
    region=None,
    pool="general",
):
    region = region or zone[:-1]
    lab = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "node.kubernetes.io/instance-type": itype,
        "topology.kubernetes.io/region": region,
        "topology.kubernetes.io/zone": zone,
    }
    lab.update(labels or {})
    cap = {
        "cpu": cpu,
        "ephemeral-storage": "203056560Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{mem_ki}Ki",
        "pods": "110",
    }
    alloc = {
        "cpu": alloc_cpu,
        "ephemeral-storage": "186137287228",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": alloc_mem,
        "pods": "110",
    }
    if gpu:
        cap["nvidia.com/gpu"] = str(gpu)
        alloc["nvidia.com/gpu"] = str(gpu)
    hb = ts(parse(now) - dt.timedelta(seconds=17))
    pressure = pressure or {}
    conds = []
    for t, ok_reason, ok_msg, bad_reason, bad_msg in (
        (
            "MemoryPressure",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
        ),
        (
            "DiskPressure",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            "KubeletHasDiskPressure",
            "kubelet has disk pressure",
        ),
        (
            "PIDPressure",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            "KubeletHasInsufficientPID",
            "kubelet has insufficient PID available",
        ),
    ):
        if t in pressure:
            conds.append(
                {
                    "type": t,
                    "status": "True",
                    "lastHeartbeatTime": hb,
                    "lastTransitionTime": pressure[t],
                    "reason": bad_reason,
                    "message": bad_msg,
                }
            )
        else:
            conds.append(
                {
                    "type": t,
                    "status": "False",
                    "lastHeartbeatTime": hb,
                    "lastTransitionTime": created,
                    "reason": ok_reason,
                    "message": ok_msg,
                }
            )
    conds.append(
        {
            "type": "Ready",
            "status": "True" if ready else "Unknown",
            "lastHeartbeatTime": hb,
            "lastTransitionTime": created,
            "reason": "KubeletReady" if ready else "NodeStatusUnknown",
            "message": "kubelet is posting ready status"
            if ready
            else "Kubelet stopped posting node status.",
        }
    )
    spec = {"providerID": f"aws:///{zone}/i-0{h(name, n=16)}"}
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    ip = (
        name.split(".")[0].replace("ip-", "").replace("-", ".")
        if name.startswith("ip-")
        else "10.0.0." + str(int(h(name, n=2), 16) % 250)
    )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid("node", name),
            "creationTimestamp": created,
            "labels": lab,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
            "resourceVersion": rv(name),
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": ip},
                {"type": "Hostname", "address": name},
            ],
            "allocatable": alloc,
            "capacity": cap,
            "conditions": conds,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": uid("boot", name),
                "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.12.40-63.114.amzn2023.x86_64",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.34.1-eks-3f0a8c2",
                "machineID": h(name, "m", n=32),
                "operatingSystem": "linux",
                "osImage": "Amazon Linux 2023.8.20250915",
                "systemUUID": uid("sys", name),
            },
        },
    }


def namespace(name, created="2026-03-02T10:00:00Z", labels=None):
    lab = {"kubernetes.io/metadata.name": name}
    lab.update(labels or {})
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "creationTimestamp": created,
            "labels": lab,
            "name": name,
            "uid": uid("ns", name),
        },
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def container(
    name, image, port=None, requests=None, limits=None, args=None, env=None, probe_path=None
):
    c = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent"}
    if args:
        c["args"] = args
    if env:
        c["env"] = env
    if port:
        c["ports"] = [{"containerPort": port, "name": "http", "protocol": "TCP"}]
    c["resources"] = {}
    if limits:
        c["resources"]["limits"] = limits
    if requests:
        c["resources"]["requests"] = requests
    if probe_path and port:
        c["readinessProbe"] = {
            "failureThreshold": 3,
            "httpGet": {"path": probe_path, "port": port, "scheme": "HTTP"},
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        }
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    return c


def pod_spec(
    containers,
    node_selector=None,
    affinity=None,
    tsc=None,
    tolerations=None,
    sa="default",
    extra=None,
):
    spec = {"containers": containers, "dnsPolicy": "ClusterFirst", "enableServiceLinks": True}
    if node_selector:
        spec["nodeSelector"] = node_selector
    if affinity:
        spec["affinity"] = affinity
    if tsc:
        spec["topologySpreadConstraints"] = tsc
    spec.update(
        {
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": sa,
            "serviceAccountName": sa,
            "terminationGracePeriodSeconds": 30,
        }
    )
    spec["tolerations"] = (tolerations or []) + [
        {
            "effect": "NoExecute",
            "key": "node.kubernetes.io/not-ready",
            "operator": "Exists",
            "tolerationSeconds": 300,
        },
        {
            "effect": "NoExecute",
            "key": "node.kubernetes.io/unreachable",
            "operator": "Exists",
            "tolerationSeconds": 300,
        },
    ]
    if extra:
        spec.update(extra)
    return spec


def pod(
    ns,
    name,
    labels,
    spec,
    owner,
    created,
    node=None,
    phase="Running",
    started=None,
    ip=None,
    sched_msg=None,
    restarts=0,
    ready=True,
):
    import copy

    spec = copy.deepcopy(spec)
    spec["volumes"] = [
        {
            "name": "kube-api-access-" + h(name, n=5),
            "projected": {
                "defaultMode": 420,
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {
                        "configMap": {
                            "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            "name": "kube-root-ca.crt",
                        }
                    },
                    {
                        "downwardAPI": {
                            "items": [
                                {
                                    "fieldRef": {
                                        "apiVersion": "v1",
                                        "fieldPath": "metadata.namespace",
                                    },
                                    "path": "namespace",
                                }
                            ]
                        }
                    },
                ],
            },
        }
    ]
    for c in spec["containers"]:
        c["volumeMounts"] = [
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": spec["volumes"][0]["name"],
                "readOnly": True,
            }
        ]
    md = {
        "creationTimestamp": created,
        "labels": labels,
        "name": name,
        "namespace": ns,
        "resourceVersion": rv(ns, name),
        "uid": uid("pod", ns, name),
    }
    if owner:
        kind, oname = owner
        md["ownerReferences"] = [
            {
                "apiVersion": "batch/v1" if kind == "Job" else "apps/v1",
                "blockOwnerDeletion": True,
                "controller": True,
                "kind": kind,
                "name": oname,
                "uid": uid(kind, ns, oname),
            }
        ]
    if node:
        spec["nodeName"] = node
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}
    if phase == "Pending" and not node:
        pod["status"] = {
            "conditions": [
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": created,
                    "message": sched_msg,
                    "reason": "Unschedulable",
                    "status": "False",
                    "type": "PodScheduled",
                }
            ],
            "phase": "Pending",
            "qosClass": "Burstable",
        }
        return pod
    st = started or ts(parse(created) + dt.timedelta(seconds=9))
    cs = []
    for c in spec["containers"]:
        cs.append(
            {
                "containerID": "containerd://" + h(name, c["name"], n=64),
                "image": c["image"],
                "imageID": c["image"].split(":")[0] + "@sha256:" + h(c["image"], n=64),
                "lastState": {},
                "name": c["name"],
                "ready": ready,
                "restartCount": restarts,
                "started": True,
                "state": {"running": {"startedAt": st}},
            }
        )
    conds = [
        {
            "lastProbeTime": None,
            "lastTransitionTime": st,
            "status": "True",
            "type": "PodReadyToStartContainers",
        },
        {
            "lastProbeTime": None,
            "lastTransitionTime": created,
            "status": "True",
            "type": "Initialized",
        },
        {
            "lastProbeTime": None,
            "lastTransitionTime": st,
            "status": "True" if ready else "False",
            "type": "Ready",
        },
        {
            "lastProbeTime": None,
            "lastTransitionTime": st,
            "status": "True" if ready else "False",
            "type": "ContainersReady",
        },
        {
            "lastProbeTime": None,
            "lastTransitionTime": created,
            "status": "True",
            "type": "PodScheduled",
        },
    ]
    ip = ip or "10.40.%d.%d" % (
        int(h(name, n=2), 16) % 60 + 1,
        int(h(name, "x", n=2), 16) % 250 + 2,
    )
    pod["status"] = {
        "conditions": conds,
        "containerStatuses": cs,
        "hostIP": "10.40.0.1",
        "hostIPs": [{"ip": "10.40.0.1"}],
        "phase": "Running",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "qosClass": "Burstable",
        "startTime": created,
    }
    return pod


def deployment(
    ns,
    name,
    labels,
    template_spec,
    replicas,
    created,
    rs_hash,
    status=None,
    generation=1,
    conditions=None,
):
    tl = dict(labels)
    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "annotations": {"deployment.kubernetes.io/revision": str(generation)},
            "creationTimestamp": created,
            "generation": generation,
            "labels": {k: v for k, v in labels.items()},
            "name": name,
            "namespace": ns,
            "resourceVersion": rv("d", ns, name),
            "uid": uid("Deployment", ns, name),
        },
        "spec": {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {
                "matchLabels": {
                    k: v for k, v in labels.items() if k in ("app", "app.kubernetes.io/name")
                }
            },
            "strategy": {
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
                "type": "RollingUpdate",
            },
            "template": {"metadata": {"labels": tl}, "spec": template_spec},
        },
    }
    st = status or {
        "availableReplicas": replicas,
        "readyReplicas": replicas,
        "replicas": replicas,
        "updatedReplicas": replicas,
    }
    st = dict(st)
    st["observedGeneration"] = generation
    st["conditions"] = conditions or [
        {
            "lastTransitionTime": created,
            "lastUpdateTime": created,
            "message": "Deployment has minimum availability.",
            "reason": "MinimumReplicasAvailable",
            "status": "True",
            "type": "Available",
        },
        {
            "lastTransitionTime": created,
            "lastUpdateTime": created,
            "message": f'ReplicaSet "{name}-{rs_hash}" has successfully progressed.',
            "reason": "NewReplicaSetAvailable",
            "status": "True",
            "type": "Progressing",
        },
    ]
    d["status"] = st
    return d


def replicaset(
    ns, deploy, rs_hash, labels, template_spec, replicas, created, ready=None, revision=1
):
    name = f"{deploy}-{rs_hash}"
    tl = dict(labels)
    tl["pod-template-hash"] = rs_hash
    sel = {k: v for k, v in labels.items() if k in ("app", "app.kubernetes.io/name")}
    sel["pod-template-hash"] = rs_hash
    ready = replicas if ready is None else ready
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "annotations": {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                "deployment.kubernetes.io/revision": str(revision),
            },
            "creationTimestamp": created,
            "generation": 1,
            "labels": tl,
            "name": name,
            "namespace": ns,
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "Deployment",
                    "name": deploy,
                    "uid": uid("Deployment", ns, deploy),
                }
            ],
            "resourceVersion": rv("rs", ns, name),
            "uid": uid("ReplicaSet", ns, name),
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": sel},
            "template": {"metadata": {"labels": tl}, "spec": template_spec},
        },
        "status": {
            "availableReplicas": ready,
            "fullyLabeledReplicas": replicas,
            "observedGeneration": 1,
            "readyReplicas": ready,
            "replicas": replicas,
        },
    }


def service(
    ns,
    name,
    selector,
    ports,
    created,
    cluster_ip=None,
    headless=False,
    stype="ClusterIP",
    labels=None,
):
    ip = (
        "None"
        if headless
        else (
            cluster_ip
            or "172.20.%d.%d"
            % (int(h(ns, name, n=2), 16) % 250, int(h(name, ns, n=2), 16) % 250 + 1)
        )
    )
    spec = {
        "clusterIP": ip,
        "clusterIPs": [ip],
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": ports,
        "sessionAffinity": "None",
        "type": stype,
    }
    if selector is not None:
        spec["selector"] = selector
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "creationTimestamp": created,
            "labels": labels or {"app": name},
            "name": name,
            "namespace": ns,
            "resourceVersion": rv("svc", ns, name),
            "uid": uid("Service", ns, name),
        },
        "spec": spec,
        "status": {"loadBalancer": {}},
    }


def endpointslice(ns, svc, pods, port, port_name="http", created=None, ready=True):
    eps = []
    for p in pods:
        eps.append(
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": ready, "serving": ready, "terminating": False},
                "nodeName": p["spec"].get("nodeName"),
                "targetRef": {
                    "kind": "Pod",
                    "name": p["metadata"]["name"],
                    "namespace": ns,
                    "uid": p["metadata"]["uid"],
                },
            }
        )
    name = f"{svc}-{h(ns, svc, n=5)}"
    return {
        "addressType": "IPv4",
        "apiVersion": "discovery.k8s.io/v1",
        "endpoints": eps if eps else None,
        "kind": "EndpointSlice",
        "metadata": {
            "creationTimestamp": created,
            "generateName": f"{svc}-",
            "labels": {
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                "kubernetes.io/service-name": svc,
            },
            "name": name,
            "namespace": ns,
            "ownerReferences": [
                {
                    "apiVersion": "v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "Service",
                    "name": svc,
                    "uid": uid("Service", ns, svc),
                }
            ],
            "resourceVersion": rv("eps", ns, svc),
            "uid": uid("EndpointSlice", ns, svc),
        },
        "ports": [{"name": port_name, "port": port, "protocol": "TCP"}],
    }


def event(
    ns,
    kind,
    name,
    reason,
    message,
    first,
    last=None,
    count=1,
    etype="Normal",
    component="default-scheduler",
    api="v1",
    seq=0,
):
    last = last or first
    e = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{name}.{h(name, reason, message, str(seq), n=16)}",
            "creationTimestamp": first,
            "namespace": ns,
        },
        "involvedObject": {
            "apiVersion": api,
            "kind": kind,
            "name": name,
            "uid": uid(kind, ns, name),
            "namespace": ns,
        },
        "reason": reason,
        "message": message,
        "type": etype,
        "firstTimestamp": first,
        "lastTimestamp": last,
        "count": count,
        "eventTime": None,
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    }
    return e


def sched_event(ns, pod_name, message, first, last, count):
    # The scheduler writes events.k8s.io events; kubectl shows them as v1 with eventTime and series.
    e = event(
        ns,
        "Pod",
        pod_name,
        "FailedScheduling",
        message,
        first,
        last,
        count,
        "Warning",
        "default-scheduler",
    )
    e["reportingInstance"] = "default-scheduler-" + "ip-10-40-0-12"
    return e


def write(folder, files):
    os.makedirs(folder + "/kubernetes", exist_ok=True)
    for fname, items in files.items():
        if fname == "incident.yaml":
            with open(folder + "/incident.yaml", "w") as f:
                yaml.safe_dump(items, f, sort_keys=False, width=120)
            continue
        with open(f"{folder}/kubernetes/{fname}", "w") as f:
            yaml.safe_dump(
                {"apiVersion": "v1", "kind": "List", "items": items}, f, sort_keys=False, width=120
            )
