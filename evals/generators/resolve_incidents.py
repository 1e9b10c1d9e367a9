"""Writes the subject-resolution and direct-question incidents of evals/incidents:

    oom-killed-checkout-by-service-dns-name          a Service by its DNS name, hyphenated namespace
    container-config-error-team-vision-slash-name    ns/name, a healthy twin in namespace team
    crashloop-app-error-configmap-named-vllm-runtime a ConfigMap named as the subject
    crashloop-app-error-serviceaccount-named-rbac-forbidden  a ServiceAccount as the subject
    direct-logs-multi-container-ingest-gateway       the logs of a two-container pod
    direct-not-ready-pods-team-a                     which pods of a namespace are not ready

Run: python evals/generators/resolve_incidents.py [function ...] (all when none is named).
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from k8s_workloads import (
    at,
    configmap,
    container,
    deployment,
    endpointslice,
    event,
    namespace,
    node,
    pod,
    replicaset,
    role,
    role_binding,
    running,
    secret_meta,
    service,
    service_account,
    terminated,
    ts,
    uid,
    waiting,
    write_bundle,
)

OUT = Path(__file__).resolve().parents[1] / "incidents"


def app(
    ns,
    name,
    hash_,
    replicas,
    containers_fn,
    statuses,
    nodes,
    created,
    now,
    labels=None,
    sa="default",
    volumes=None,
    revision=1,
    ips=None,
):
    """A Deployment, its ReplicaSet and pods (statuses: one list of container statuses a pod)."""
    labels = labels or {"app": name}
    containers_fn()
    ready = sum(1 for s in statuses if all(c["ready"] for c in s))
    dep = deployment(
        ns,
        name,
        labels,
        containers_fn(),
        replicas,
        ready,
        replicas,
        created,
        revision,
        sa=sa,
        volumes=volumes,
        now=now,
    )
    rs = replicaset(
        ns, name, hash_, labels, containers_fn(), replicas, ready, created, revision, sa=sa
    )
    pods = []
    suffixes = ["x7k2p", "m4q9z", "b8w3n", "t6r5d", "h2c7v", "p9l4s"]
    for i, st in enumerate(statuses):
        node_name, node_ip = nodes[i % len(nodes)]
        pip = (ips or {}).get(i) or f"10.244.{int(uid(name)[:4], 16) % 200 + 10}.{20 + i}"
        pods.append(
            pod(
                ns,
                f"{name}-{hash_}-{suffixes[i]}",
                ("ReplicaSet", f"{name}-{hash_}"),
                dict(labels, **{"pod-template-hash": hash_}),
                containers_fn(),
                st,
                node_name,
                node_ip,
                pip,
                at(created, minutes=1),
                sa=sa,
                volumes=volumes,
                now=now,
            )
        )
    return dep, rs, pods


def kube_system(now, nodes):
    created = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)

    def cdns():
        return [
            container(
                "coredns",
                "registry.k8s.io/coredns/coredns:v1.12.1",
                ports=[("dns", 53), ("metrics", 9153)],
                limits={"memory": "170Mi"},
                requests={"cpu": "100m", "memory": "70Mi"},
                args=["-conf", "/etc/coredns/Corefile"],
                readiness=("/ready", 8181),
            )
        ]

    dep, rs, pods = app(
        "kube-system",
        "coredns",
        "668d6bf9bc",
        2,
        cdns,
        [[running(at(now, days=-12))], [running(at(now, days=-12))]],
        nodes,
        created,
        now,
        labels={"k8s-app": "kube-dns"},
        sa="coredns",
    )
    return [dep, rs], pods


# --------------------------------------------------------------------------------------------
def checkout_dns():
    now = datetime(2026, 11, 14, 14, 30, tzinfo=UTC)
    iid = "oom-killed-checkout-by-service-dns-name"
    nodes = [
        ("shop-pool-1", "10.30.4.11"),
        ("shop-pool-2", "10.30.4.12"),
        ("shop-pool-3", "10.30.4.13"),
    ]
    born = datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    ns_objs = [
        namespace(n, born) for n in ("default", "kube-system", "shop", "shop-prod", "monitoring")
    ]
    node_objs = [node(n, ip, born, now) for n, ip in nodes]
    ks_wl, ks_pods = kube_system(now, nodes)

    def checkout_c():
        return [
            container(
                "checkout",
                "registry.example.com/shop/checkout:4.12.0",
                ports=[("http", 8080), ("metrics", 9090)],
                env=[
                    {"name": "CART_URL", "value": "http://cart.shop-prod.svc:8080"},
                    {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=90"},
                ],
                limits={"cpu": "2", "memory": "1Gi"},
                requests={"cpu": "500m", "memory": "768Mi"},
                readiness=("/healthz/ready", 8080),
            )
        ]

    def oom(s, f):

        return terminated("OOMKilled", 137, s, f)

    st = [
        [
            waiting(
                "CrashLoopBackOff",
                "back-off 2m40s restarting failed container=checkout pod=checkout-5f7d9c8b6-x7k2p_shop-prod({})".format(
                    uid("Pod", "shop-prod", "checkout-5f7d9c8b6-x7k2p")
                ),
                restarts=7,
                last=oom(at(now, minutes=-6), at(now, minutes=-3)),
            )
        ],
        [
            running(
                at(now, minutes=-2),
                restarts=6,
                ready=False,
                last=oom(at(now, minutes=-9), at(now, minutes=-2, seconds=-5)),
            )
        ],
        [
            waiting(
                "CrashLoopBackOff",
                "back-off 2m40s restarting failed container=checkout",
                restarts=8,
                last=oom(at(now, minutes=-7), at(now, minutes=-4)),
            )
        ],
    ]
    dep, rs, pods = app(
        "shop-prod",
        "checkout",
        "5f7d9c8b6",
        3,
        checkout_c,
        st,
        nodes,
        datetime(2026, 11, 12, 10, 0, tzinfo=UTC),
        now,
        revision=14,
    )

    def pay_c():
        return [
            container(
                "payments-api",
                "registry.example.com/shop/payments-api:2.3.1",
                ports=[("http", 8080)],
                env=[
                    {
                        "name": "CHECKOUT_URL",
                        "value": "http://checkout.shop-prod.svc.cluster.local:8080",
                    }
                ],
                limits={"cpu": "1", "memory": "512Mi"},
                requests={"cpu": "200m", "memory": "256Mi"},
                readiness=("/ready", 8080),
            )
        ]

    pdep, prs, ppods = app(
        "shop-prod",
        "payments-api",
        "66b8d4f7c9",
        2,
        pay_c,
        [[running(at(now, days=-3))], [running(at(now, days=-3))]],
        nodes[1:],
        datetime(2026, 11, 11, 9, 0, tzinfo=UTC),
        now,
        revision=9,
    )

    def cart_c():
        return [
            container(
                "cart",
                "registry.example.com/shop/cart:3.0.4",
                ports=[("http", 8080)],
                limits={"memory": "512Mi"},
                requests={"cpu": "100m", "memory": "256Mi"},
                readiness=("/ready", 8080),
            )
        ]

    cdep, crs, cpods = app(
        "shop-prod",
        "cart",
        "7b9c6d5f48",
        2,
        cart_c,
        [[running(at(now, days=-5))], [running(at(now, days=-5))]],
        nodes,
        datetime(2026, 11, 9, 9, 0, tzinfo=UTC),
        now,
        revision=3,
    )

    def legacy_c():
        return [
            container(
                "checkout",
                "registry.example.com/shop/checkout:3.9.2",
                ports=[("http", 8080)],
                limits={"cpu": "1", "memory": "2Gi"},
                requests={"cpu": "250m", "memory": "1Gi"},
                readiness=("/healthz/ready", 8080),
            )
        ]

    ldep, lrs, lpods = app(
        "shop",
        "checkout",
        "84c6b9d7f5",
        1,
        legacy_c,
        [[running(at(now, days=-30))]],
        nodes[2:],
        datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        now,
        revision=2,
    )
    svc_prod = service(
        "shop-prod",
        "checkout",
        {"app": "checkout"},
        [("http", 8080, 8080)],
        datetime(2026, 10, 2, 9, 0, tzinfo=UTC),
        "10.96.41.17",
    )
    svcs = [
        svc_prod,
        service(
            "shop-prod",
            "payments-api",
            {"app": "payments-api"},
            [("http", 8080, 8080)],
            born,
            "10.96.41.30",
        ),
        service("shop-prod", "cart", {"app": "cart"}, [("http", 8080, 8080)], born, "10.96.41.22"),
        service(
            "shop", "checkout", {"app": "checkout"}, [("http", 8080, 8080)], born, "10.96.12.9"
        ),
        endpointslice(
            "shop-prod",
            "checkout",
            "q8x2r",
            [
                (p["metadata"]["name"], p["status"]["podIP"], p["spec"]["nodeName"], False)
                for p in pods
            ],
            [("http", 8080, 8080)],
            born,
        ),
        endpointslice(
            "shop-prod",
            "payments-api",
            "f3k9s",
            [
                (p["metadata"]["name"], p["status"]["podIP"], p["spec"]["nodeName"], True)
                for p in ppods
            ],
            [("http", 8080, 8080)],
            born,
        ),
        endpointslice(
            "shop-prod",
            "cart",
            "z7m1c",
            [
                (p["metadata"]["name"], p["status"]["podIP"], p["spec"]["nodeName"], True)
                for p in cpods
            ],
            [("http", 8080, 8080)],
            born,
        ),
        endpointslice(
            "shop",
            "checkout",
            "a1b2c",
            [
                (p["metadata"]["name"], p["status"]["podIP"], p["spec"]["nodeName"], True)
                for p in lpods
            ],
            [("http", 8080, 8080)],
            born,
        ),
    ]
    events = []
    for p, count in zip(pods, (7, 6, 8), strict=False):
        n = p["metadata"]["name"]
        events.append(
            event(
                "shop-prod",
                "Pod",
                n,
                "BackOff",
                f"Back-off restarting failed container checkout in pod {n}_shop-prod({p['metadata']['uid']})",
                at(now, minutes=-42),
                at(now, minutes=-1),
                count=count * 9,
                type_="Warning",
                host=p["spec"]["nodeName"],
                field_path="spec.containers{checkout}",
            )
        )
        events.append(
            event(
                "shop-prod",
                "Pod",
                n,
                "Pulled",
                'Container image "registry.example.com/shop/checkout:4.12.0" already present on machine',
                at(now, minutes=-44),
                at(now, minutes=-2),
                count=count,
                host=p["spec"]["nodeName"],
                field_path="spec.containers{checkout}",
            )
        )
        events.append(
            event(
                "shop-prod",
                "Pod",
                n,
                "Unhealthy",
                'Readiness probe failed: Get "http://{}:8080/healthz/ready": dial tcp {}:8080: connect: connection refused'.format(
                    p["status"]["podIP"], p["status"]["podIP"]
                ),
                at(now, minutes=-40),
                at(now, minutes=-2),
                count=count * 2,
                type_="Warning",
                host=p["spec"]["nodeName"],
                field_path="spec.containers{checkout}",
            )
        )
    events.append(
        event(
            "shop-prod",
            "Deployment",
            "payments-api",
            "ScalingReplicaSet",
            "Scaled up replica set payments-api-66b8d4f7c9 from 1 to 2",
            at(now, days=-3),
            at(now, days=-3),
            component="deployment-controller",
            api_version="apps/v1",
        )
    )
    events.append(
        event(
            "shop",
            "Pod",
            lpods[0]["metadata"]["name"],
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            at(now, minutes=-50),
            at(now, minutes=-48),
            count=2,
            type_="Warning",
            host=lpods[0]["spec"]["nodeName"],
        )
    )
    logs = {}
    for p in pods:
        logs[("shop-prod", p["metadata"]["name"], "checkout")] = (
            "\n".join(
                [
                    f"{ts(at(now, minutes=-3, seconds=-70))} INFO  c.e.shop.checkout.Application - Starting Application v4.12.0 using Java 21.0.5",
                    f"{ts(at(now, minutes=-3, seconds=-62))} INFO  o.s.b.w.embedded.tomcat.TomcatWebServer - Tomcat started on port 8080 (http)",
                    f"{ts(at(now, minutes=-3, seconds=-50))} INFO  c.e.shop.checkout.PromoCache - warming promotion cache: 1843221 entries",
                    f"{ts(at(now, minutes=-3, seconds=-12))} WARN  c.e.shop.checkout.PromoCache - promotion cache at 912MiB, still loading",
                ]
            )
            + "\n"
        )
    incident = {
        "id": iid,
        "title": "checkout in shop-prod is OOMKilled warming its promotion cache; the question names it by its Service DNS name",
        "time": ts(now),
        "question": "payments-api gets 503s from checkout.shop-prod.svc.cluster.local:8080 since the promo launch, what is wrong with it?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "The checkout container of Deployment shop-prod/checkout is OOMKilled (exit 137) over and over: the promotion cache it warms at start outgrows its 1Gi memory limit, so no checkout pod stays ready and the Service checkout.shop-prod has no ready endpoints (the 503s). The older Deployment shop/checkout is healthy and unrelated.",
            "must_mention": [
                ["oom ?kill", "out of memory", "\\boom\\b"],
                ["checkout"],
                ["\\b1 ?gi", "1024 ?mi", "memory limit", "limits?\\.memory"],
            ],
            "remediation_must_mention": [
                [
                    "(raise|increase|bump|higher|more).{0,40}(memory|limit)",
                    "memory limit",
                    "limits?\\.memory",
                ]
            ],
            "runbook": "oom-killed",
        },
        "tags": ["kubernetes", "oom", "subject-resolution", "dns-name", "hyphenated-namespace"],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs, pdep, prs, cdep, crs, ldep, lrs],
            "pods": pods + ppods + cpods + lpods,
            "services": svcs,
            "events": events,
            "kube-system": ks_wl + ks_pods,
            "config": [
                configmap(
                    "shop-prod",
                    "kube-root-ca.crt",
                    {
                        "ca.crt": "-----BEGIN CERTIFICATE-----\nMIIC/jCCAeagAwIBAgIBADANBgkqhkiG9w0BAQsFADAVMRMwEQYDVQQDEwprdWJl\n-----END CERTIFICATE-----\n"
                    },
                    born,
                )
            ],
        },
        logs,
    )


def _base(now, ns_names, nodes, born):
    ks_wl, ks_pods = kube_system(now, nodes)
    return (
        [namespace(n, born) for n in ns_names],
        [node(n, ip, born, now) for n, ip in nodes],
        ks_wl + ks_pods,
    )


def label_studio_slash():
    now = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    iid = "container-config-error-team-vision-slash-name"
    nodes = [("ml-cpu-1", "10.50.2.21"), ("ml-cpu-2", "10.50.2.22")]
    born = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "team", "team-vision", "team-nlp"), nodes, born
    )
    secret_ref = [
        {
            "name": "POSTGRES_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "label-studio-db", "key": "password"}},
        }
    ]

    def ls_c(image="heartexlabs/label-studio:1.14.0", env=None):
        return lambda: [
            container(
                "label-studio",
                image,
                ports=[("http", 8080)],
                env=[
                    {"name": "POSTGRE_HOST", "value": "postgres.team-vision.svc"},
                    {"name": "DJANGO_DB", "value": "default"},
                ]
                + (env or []),
                limits={"cpu": "2", "memory": "4Gi"},
                requests={"cpu": "500m", "memory": "2Gi"},
                readiness=("/health", 8080),
            )
        ]

    msg = 'secret "label-studio-db" not found'
    st = [[waiting("CreateContainerConfigError", msg)]]
    dep, rs, pods = app(
        "team-vision",
        "label-studio",
        "6c9f8d7b54",
        1,
        ls_c(env=secret_ref),
        st,
        nodes,
        at(now, minutes=-35),
        now,
        revision=1,
        sa="label-studio",
    )
    # the same app in namespace team, healthy: what a split at the hyphen would find
    tdep, trs, tpods = app(
        "team",
        "label-studio",
        "57d8c6b9f4",
        1,
        ls_c("heartexlabs/label-studio:1.12.1"),
        [[running(at(now, days=-20))]],
        nodes[1:],
        at(now, days=-40),
        now,
        revision=4,
    )

    def pg():
        return [
            container(
                "postgres",
                "postgres:16.4",
                ports=[("postgres", 5432)],
                limits={"memory": "2Gi"},
                requests={"cpu": "250m", "memory": "1Gi"},
            )
        ]

    pdep, prs, ppods = app(
        "team-vision",
        "postgres",
        "7f6d5c4b3a",
        1,
        pg,
        [[running(at(now, days=-6))]],
        nodes,
        at(now, days=-50),
        now,
        revision=2,
    )

    def nb():
        return [
            container(
                "jupyter",
                "quay.io/jupyter/pytorch-notebook:2026-09-01",
                ports=[("http", 8888)],
                limits={"memory": "8Gi"},
                requests={"cpu": "1", "memory": "4Gi"},
            )
        ]

    ndep, nrs, npods = app(
        "team-nlp",
        "notebook-ana",
        "5b4c3d2e1f",
        1,
        nb,
        [[running(at(now, days=-2))]],
        nodes,
        at(now, days=-9),
        now,
    )
    p = pods[0]
    n = p["metadata"]["name"]
    events = [
        event(
            "team-vision",
            "Pod",
            n,
            "Scheduled",
            f"Successfully assigned team-vision/{n} to {p['spec']['nodeName']}",
            at(now, minutes=-34),
            at(now, minutes=-34),
            component="default-scheduler",
        ),
        event(
            "team-vision",
            "Pod",
            n,
            "Pulled",
            'Container image "heartexlabs/label-studio:1.14.0" already present on machine',
            at(now, minutes=-34),
            at(now, minutes=-1),
            count=160,
            host=p["spec"]["nodeName"],
            field_path="spec.containers{label-studio}",
        ),
        event(
            "team-vision",
            "Pod",
            n,
            "Failed",
            "Error: " + msg,
            at(now, minutes=-34),
            at(now, minutes=-1),
            count=160,
            type_="Warning",
            host=p["spec"]["nodeName"],
            field_path="spec.containers{label-studio}",
        ),
        event(
            "team-vision",
            "Deployment",
            "label-studio",
            "ScalingReplicaSet",
            "Scaled up replica set label-studio-6c9f8d7b54 from 0 to 1",
            at(now, minutes=-35),
            at(now, minutes=-35),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "team-nlp",
            "Pod",
            npods[0]["metadata"]["name"],
            "Unhealthy",
            'Liveness probe failed: Get "http://10.244.7.9:8888/api": context deadline exceeded',
            at(now, minutes=-80),
            at(now, minutes=-79),
            count=1,
            type_="Warning",
            host="ml-cpu-1",
        ),
    ]
    config = [
        secret_meta("team-vision", "label-studio-db-credentials", at(now, days=-50)),
        secret_meta("team", "label-studio-db", at(now, days=-40)),
        service_account("team-vision", "label-studio", at(now, minutes=-36)),
        configmap(
            "team-vision",
            "label-studio-config",
            {"LABEL_STUDIO_HOST": "https://label.team-vision.example.com"},
            at(now, minutes=-36),
        ),
    ]
    svcs = [
        service(
            "team-vision",
            "label-studio",
            {"app": "label-studio"},
            [("http", 80, 8080)],
            at(now, minutes=-35),
            "10.96.77.4",
        ),
        service(
            "team-vision",
            "postgres",
            {"app": "postgres"},
            [("postgres", 5432, 5432)],
            at(now, days=-50),
            "10.96.77.9",
        ),
        service(
            "team",
            "label-studio",
            {"app": "label-studio"},
            [("http", 80, 8080)],
            at(now, days=-40),
            "10.96.70.3",
        ),
    ]
    incident = {
        "id": iid,
        "title": "label-studio in team-vision never starts: its Secret label-studio-db is in namespace team, not team-vision; the question spells it team-vision/label-studio",
        "time": ts(now),
        "question": "why does team-vision/label-studio never start after we moved it over from the team namespace?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "The label-studio container of Deployment team-vision/label-studio cannot be created (CreateContainerConfigError): its env POSTGRES_PASSWORD reads Secret label-studio-db, which does not exist in team-vision (it was left in namespace team; team-vision only has label-studio-db-credentials).",
            "must_mention": [
                [
                    "createcontainerconfigerror",
                    "cannot be created",
                    "can'?t (be )?creat",
                    "not found",
                    "does not exist",
                    "missing",
                ],
                ["label-studio-db"],
                ["secret"],
            ],
            "remediation_must_mention": [
                [
                    "create.{0,40}secret",
                    "secret.{0,60}(create|copy|namespace)",
                    "kubectl (create|get) secret",
                ]
            ],
            "runbook": "container-config-error",
        },
        "tags": [
            "kubernetes",
            "config",
            "secret",
            "subject-resolution",
            "ns-slash-name",
            "hyphenated-namespace",
        ],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs, tdep, trs, pdep, prs, ndep, nrs],
            "pods": pods + tpods + ppods + npods,
            "services": svcs,
            "events": events,
            "kube-system": ks,
            "config": config,
        },
        {},
    )


def vllm_configmap():
    now = datetime(2026, 11, 22, 16, 40, tzinfo=UTC)
    iid = "crashloop-app-error-configmap-named-vllm-runtime"
    nodes = [("gpu-h100-1", "10.60.1.31"), ("gpu-h100-2", "10.60.1.32")]
    born = datetime(2026, 8, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "llm-serving", "monitoring"), nodes, born
    )
    env_from = [{"configMapRef": {"name": "vllm-runtime-config"}}]

    def vllm():
        return [
            container(
                "vllm",
                "vllm/vllm-openai:v0.11.1",
                ports=[("http", 8000)],
                args=[
                    "--model",
                    "/models/Qwen2.5-32B-Instruct",
                    "--served-model-name",
                    "qwen2.5-32b",
                    "--max-model-len",
                    "$(MAX_MODEL_LEN)",
                    "--gpu-memory-utilization",
                    "$(GPU_MEMORY_UTILIZATION)",
                ],
                env_from=env_from,
                limits={"nvidia.com/gpu": "2", "memory": "96Gi"},
                requests={"cpu": "8", "nvidia.com/gpu": "2", "memory": "64Gi"},
                mounts=[{"name": "models", "mountPath": "/models", "readOnly": True}],
                readiness=("/health", 8000),
            )
        ]

    vols = [
        {"name": "models", "persistentVolumeClaim": {"claimName": "model-store", "readOnly": True}}
    ]

    def last(s):
        return terminated("Error", 1, at(now, minutes=s), at(now, minutes=s, seconds=14))

    st = [
        [
            waiting(
                "CrashLoopBackOff",
                "back-off 5m0s restarting failed container=vllm",
                restarts=9,
                last=last(-4),
            )
        ],
        [
            waiting(
                "CrashLoopBackOff",
                "back-off 5m0s restarting failed container=vllm",
                restarts=9,
                last=last(-3),
            )
        ],
    ]
    dep, rs, pods = app(
        "llm-serving",
        "qwen-32b",
        "8d7c6b5a49",
        2,
        vllm,
        st,
        nodes,
        at(now, days=-12),
        now,
        revision=6,
        volumes=vols,
        sa="vllm",
    )

    def emb():
        return [
            container(
                "tei",
                "ghcr.io/huggingface/text-embeddings-inference:1.7",
                ports=[("http", 80)],
                args=["--model-id", "/models/bge-m3"],
                limits={"nvidia.com/gpu": "1", "memory": "16Gi"},
                requests={"cpu": "2", "nvidia.com/gpu": "1", "memory": "8Gi"},
                readiness=("/health", 80),
            )
        ]

    edep, ers, epods = app(
        "llm-serving",
        "bge-m3-embedder",
        "6a5b4c3d2e",
        1,
        emb,
        [[running(at(now, days=-4))]],
        nodes[1:],
        at(now, days=-30),
        now,
        revision=3,
        sa="vllm",
    )

    def gw():
        return [
            container(
                "litellm",
                "ghcr.io/berriai/litellm:main-v1.74.0",
                ports=[("http", 4000)],
                env_from=[{"configMapRef": {"name": "litellm-routes"}}],
                limits={"memory": "1Gi"},
                requests={"cpu": "250m", "memory": "512Mi"},
                readiness=("/health/readiness", 4000),
            )
        ]

    gdep, grs, gpods = app(
        "llm-serving",
        "llm-gateway",
        "59c8b7a6d5",
        2,
        gw,
        [[running(at(now, days=-1))], [running(at(now, days=-1))]],
        nodes,
        at(now, days=-60),
        now,
        revision=11,
    )
    config = [
        configmap(
            "llm-serving",
            "vllm-runtime-config",
            {
                "MAX_MODEL_LEN": "32k",
                "GPU_MEMORY_UTILIZATION": "0.92",
                "VLLM_LOGGING_LEVEL": "INFO",
            },
            at(now, days=-12),
            labels={"app.kubernetes.io/part-of": "llm-serving"},
        ),
        configmap(
            "llm-serving",
            "litellm-routes",
            {
                "LITELLM_MODEL_LIST": "qwen2.5-32b,bge-m3",
                "QWEN_BASE_URL": "http://qwen-32b.llm-serving.svc:8000/v1",
            },
            at(now, days=-20),
        ),
        configmap(
            "llm-serving",
            "vllm-runtime-config-old",
            {"MAX_MODEL_LEN": "32768", "GPU_MEMORY_UTILIZATION": "0.90"},
            at(now, days=-12),
        ),
    ]
    config[0]["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "apiVersion": "v1",
            "time": ts(at(now, days=-12)),
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {}},
        },
        {
            "manager": "kubectl-edit",
            "operation": "Update",
            "apiVersion": "v1",
            "time": ts(at(now, minutes=-26)),
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:MAX_MODEL_LEN": {}}},
        },
    ]
    events = []
    for p in pods:
        n = p["metadata"]["name"]
        events.append(
            event(
                "llm-serving",
                "Pod",
                n,
                "BackOff",
                f"Back-off restarting failed container vllm in pod {n}_llm-serving({p['metadata']['uid']})",
                at(now, minutes=-24),
                at(now, minutes=-1),
                count=97,
                type_="Warning",
                host=p["spec"]["nodeName"],
                field_path="spec.containers{vllm}",
            )
        )
        events.append(
            event(
                "llm-serving",
                "Pod",
                n,
                "Started",
                "Started container vllm",
                at(now, minutes=-25),
                at(now, minutes=-4),
                count=10,
                host=p["spec"]["nodeName"],
                field_path="spec.containers{vllm}",
            )
        )
    events.append(
        event(
            "llm-serving",
            "Pod",
            gpods[0]["metadata"]["name"],
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            at(now, minutes=-20),
            at(now, minutes=-18),
            count=3,
            type_="Warning",
            host="gpu-h100-1",
        )
    )
    logs = {}
    for p in pods:
        logs[("llm-serving", p["metadata"]["name"], "vllm.previous")] = (
            "\n".join(
                [
                    f"{ts(at(now, minutes=-4))} INFO 11-22 16:36:00 [__init__.py:244] Automatically detected platform cuda.",
                    f"{ts(at(now, minutes=-4, seconds=2))} INFO 11-22 16:36:02 [api_server.py:1896] vLLM API server version 0.11.1",
                    f"{ts(at(now, minutes=-4, seconds=3))} usage: api_server.py [-h] [--host HOST] [--port PORT] [--max-model-len MAX_MODEL_LEN] ...",
                    f"{ts(at(now, minutes=-4, seconds=3))} api_server.py: error: argument --max-model-len: invalid human_readable_int value: '32k' (use an integer such as 32768)",
                ]
            )
            + "\n"
        )
        logs[("llm-serving", p["metadata"]["name"], "vllm")] = (
            f"{ts(at(now, seconds=-30))} INFO 11-22 16:39:30 [__init__.py:244] Automatically detected platform cuda.\n"
        )
    svcs = [
        service(
            "llm-serving",
            "qwen-32b",
            {"app": "qwen-32b"},
            [("http", 8000, 8000)],
            at(now, days=-12),
            "10.96.90.12",
        ),
        service(
            "llm-serving",
            "llm-gateway",
            {"app": "llm-gateway"},
            [("http", 4000, 4000)],
            at(now, days=-60),
            "10.96.90.4",
        ),
    ]
    incident = {
        "id": iid,
        "title": "A ConfigMap edit (MAX_MODEL_LEN=32k) crash-loops the vLLM pods that read it; the question names only the ConfigMap",
        "time": ts(now),
        "question": "we edited the configmap vllm-runtime-config in llm-serving half an hour ago; is something wrong with it?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "ConfigMap llm-serving/vllm-runtime-config now sets MAX_MODEL_LEN=32k; the vllm container of Deployment qwen-32b reads it through envFrom and exits with code 1 (argument --max-model-len: invalid value '32k'), so both pods crash-loop.",
            "must_mention": [
                ["32k", "max[-_]model[-_]len"],
                ["qwen-32b"],
                ["exit(s|ed)? with code 1", "crash", "exit code 1", "invalid"],
            ],
            "remediation_must_mention": [["32768", "integer", "configmap", "max[-_]model[-_]len"]],
            "runbook": "crashloop-app-error",
        },
        "tags": [
            "kubernetes",
            "crashloop",
            "configmap",
            "subject-resolution",
            "non-workload-subject",
        ],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs, edep, ers, gdep, grs],
            "pods": pods + epods + gpods,
            "services": svcs,
            "events": events,
            "kube-system": ks,
            "config": config,
        },
        logs,
    )


def index_sync_sa():
    now = datetime(2026, 11, 25, 11, 5, tzinfo=UTC)
    iid = "crashloop-app-error-serviceaccount-named-rbac-forbidden"
    nodes = [("search-w1", "10.70.3.11"), ("search-w2", "10.70.3.12"), ("search-w3", "10.70.3.13")]
    born = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "search-prod", "search-staging"), nodes, born
    )

    def sync():
        return [
            container(
                "index-sync",
                "registry.example.com/search/index-sync:0.18.0",
                ports=[("metrics", 9102)],
                env=[
                    {"name": "WATCH_NAMESPACE", "value": "search-prod"},
                    {"name": "OPENSEARCH_URL", "value": "https://opensearch.search-prod.svc:9200"},
                ],
                limits={"memory": "512Mi"},
                requests={"cpu": "100m", "memory": "256Mi"},
            )
        ]

    def last(m):

        return terminated("Error", 1, at(now, minutes=m), at(now, minutes=m, seconds=3))

    st = [
        [
            waiting(
                "CrashLoopBackOff",
                "back-off 5m0s restarting failed container=index-sync",
                restarts=12,
                last=last(-5),
            )
        ]
    ]
    dep, rs, pods = app(
        "search-prod",
        "index-sync",
        "7c5d9f8b6a",
        1,
        sync,
        st,
        nodes,
        at(now, hours=-3),
        now,
        revision=5,
        sa="index-sync",
    )

    def os_c():
        return [
            container(
                "opensearch",
                "opensearchproject/opensearch:2.19.1",
                ports=[("http", 9200), ("transport", 9300)],
                limits={"memory": "16Gi"},
                requests={"cpu": "2", "memory": "16Gi"},
                readiness=("/_cluster/health", 9200),
            )
        ]

    odep, ors, opods = app(
        "search-prod",
        "opensearch",
        "5d4c3b2a19",
        3,
        os_c,
        [[running(at(now, days=-15))]] * 3,
        nodes,
        at(now, days=-90),
        now,
        revision=7,
        sa="opensearch",
    )

    def api():
        return [
            container(
                "search-api",
                "registry.example.com/search/search-api:3.4.2",
                ports=[("http", 8080)],
                limits={"memory": "1Gi"},
                requests={"cpu": "250m", "memory": "512Mi"},
                readiness=("/ready", 8080),
            )
        ]

    adep, ars, apods = app(
        "search-prod",
        "search-api",
        "6b5a4c3d2e",
        2,
        api,
        [[running(at(now, days=-2))], [running(at(now, days=-2))]],
        nodes,
        at(now, days=-60),
        now,
        revision=21,
        sa="search-api",
    )
    sdep, srs, spods = app(
        "search-staging",
        "index-sync",
        "59f8e7d6c5",
        1,
        sync,
        [[running(at(now, days=-1))]],
        nodes[1:],
        at(now, days=-1),
        now,
        revision=2,
        sa="index-sync",
    )
    rules = [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]},
        {
            "apiGroups": ["coordination.k8s.io"],
            "resources": ["leases"],
            "verbs": ["get", "create", "update"],
        },
    ]
    config = [
        service_account("search-prod", "index-sync", at(now, hours=-3)),
        service_account("search-prod", "index-syncer", at(now, days=-90)),
        service_account("search-prod", "search-api", at(now, days=-60)),
        service_account("search-prod", "opensearch", at(now, days=-90)),
        role("search-prod", "index-sync", rules, at(now, days=-90)),
        role_binding(
            "search-prod", "index-sync", "index-sync", ["index-syncer"], at(now, days=-90)
        ),
        service_account("search-staging", "index-sync", at(now, days=-1)),
        role("search-staging", "index-sync", rules, at(now, days=-1)),
        role_binding(
            "search-staging", "index-sync", "index-sync", ["index-sync"], at(now, days=-1)
        ),
        configmap(
            "search-prod",
            "index-sync-sources",
            {"sources.yaml": "- name: docs\n  configmap: docs-index-spec\n"},
            at(now, days=-30),
        ),
    ]
    p = pods[0]
    n = p["metadata"]["name"]
    events = [
        event(
            "search-prod",
            "Pod",
            n,
            "BackOff",
            f"Back-off restarting failed container index-sync in pod {n}_search-prod({p['metadata']['uid']})",
            at(now, hours=-3),
            at(now, minutes=-1),
            count=140,
            type_="Warning",
            host=p["spec"]["nodeName"],
            field_path="spec.containers{index-sync}",
        ),
        event(
            "search-prod",
            "Deployment",
            "index-sync",
            "ScalingReplicaSet",
            "Scaled up replica set index-sync-7c5d9f8b6a from 0 to 1",
            at(now, hours=-3),
            at(now, hours=-3),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "search-prod",
            "Pod",
            opods[1]["metadata"]["name"],
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            at(now, minutes=-70),
            at(now, minutes=-69),
            count=2,
            type_="Warning",
            host=opods[1]["spec"]["nodeName"],
        ),
    ]
    prev = (
        "\n".join(
            [
                f'{ts(at(now, minutes=-5))} level=info msg="starting index-sync" version=0.18.0 namespace=search-prod',
                f'{ts(at(now, minutes=-5, seconds=1))} level=info msg="connected to opensearch" url=https://opensearch.search-prod.svc:9200 cluster=search-prod status=green',
                f'{ts(at(now, minutes=-5, seconds=2))} level=error msg="listing index sources failed" error="configmaps is forbidden: User \\"system:serviceaccount:search-prod:index-sync\\" cannot list resource \\"configmaps\\" in API group \\"\\" in the namespace \\"search-prod\\""',
                f'{ts(at(now, minutes=-5, seconds=2))} level=fatal msg="cannot start without index sources"',
            ]
        )
        + "\n"
    )
    incident = {
        "id": iid,
        "title": "index-sync runs as a new ServiceAccount the RoleBinding does not name: configmaps is forbidden; the question names the ServiceAccount",
        "time": ts(now),
        "question": "pods running as service account index-sync in search-prod keep dying since this morning's change, why?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "The index-sync container of Deployment search-prod/index-sync exits with code 1: its ServiceAccount index-sync may not list configmaps (forbidden) because RoleBinding index-sync grants Role index-sync to the old ServiceAccount index-syncer, not to index-sync.",
            "must_mention": [["forbidden", "cannot list", "rbac"], ["index-sync"], ["configmaps?"]],
            # This morning's revision switched the pods to the new ServiceAccount: rolling back
            # or binding the Role to index-sync both fix it.
            "remediation_must_mention": [
                [
                    "rolebinding",
                    "role ?binding",
                    "rbac",
                    "roll(out)? ?(undo|back)",
                    "serviceaccount",
                ]
            ],
            "runbook": "crashloop-app-error",
        },
        "tags": [
            "kubernetes",
            "crashloop",
            "rbac",
            "serviceaccount",
            "subject-resolution",
            "non-workload-subject",
        ],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs, odep, ors, adep, ars, sdep, srs],
            "pods": pods + opods + apods + spods,
            "events": events,
            "kube-system": ks,
            "rbac": config,
        },
        {
            ("search-prod", n, "index-sync.previous"): prev,
            (
                "search-prod",
                n,
                "index-sync",
            ): f'{ts(at(now, minutes=-1))} level=info msg="starting index-sync" version=0.18.0 namespace=search-prod\n',
            (
                "search-staging",
                spods[0]["metadata"]["name"],
                "index-sync",
            ): f'{ts(at(now, minutes=-2))} level=info msg="synced" sources=3 documents=18233\n',
        },
    )


def ingest_logs():
    now = datetime(2026, 11, 27, 7, 45, tzinfo=UTC)
    iid = "direct-logs-multi-container-ingest-gateway"
    nodes = [("dp-node-1", "10.80.1.11"), ("dp-node-2", "10.80.1.12")]
    born = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "data-plane", "observability"), nodes, born
    )

    def gw():
        return [
            container(
                "gateway",
                "registry.example.com/data/ingest-gateway:5.2.0",
                ports=[("http", 8080)],
                env=[
                    {
                        "name": "KAFKA_BROKERS",
                        "value": "kafka-0.kafka.data-plane.svc:9092,kafka-1.kafka.data-plane.svc:9092",
                    }
                ],
                limits={"memory": "1Gi"},
                requests={"cpu": "500m", "memory": "512Mi"},
                readiness=("/ready", 8080),
            ),
            container(
                "envoy",
                "envoyproxy/envoy:v1.35.2",
                ports=[("proxy", 10000), ("admin", 9901)],
                args=["-c", "/etc/envoy/envoy.yaml"],
                limits={"memory": "256Mi"},
                requests={"cpu": "100m", "memory": "128Mi"},
                mounts=[{"name": "envoy-config", "mountPath": "/etc/envoy"}],
                readiness=("/ready", 9901),
            ),
        ]

    vols = [
        {"name": "envoy-config", "configMap": {"name": "ingest-gateway-envoy", "defaultMode": 420}}
    ]
    dep, rs, pods = app(
        "data-plane",
        "ingest-gateway",
        "74b9c8d6f5",
        1,
        gw,
        [[running(at(now, hours=-20)), running(at(now, hours=-20))]],
        nodes,
        at(now, days=-6),
        now,
        revision=8,
        volumes=vols,
    )
    init = [
        container(
            "wait-for-kafka",
            "busybox:1.37",
            args=["sh", "-c", "until nc -z kafka-0.kafka.data-plane.svc 9092; do sleep 2; done"],
        )
    ]
    pods[0]["spec"]["initContainers"] = init
    pods[0]["status"]["initContainerStatuses"] = [
        {
            "name": "wait-for-kafka",
            "image": "busybox:1.37",
            "imageID": "docker.io/library/busybox@sha256:" + "ab" * 32,
            "ready": True,
            "restartCount": 0,
            "started": False,
            "state": {
                "terminated": terminated(
                    "Completed", 0, at(now, hours=-20, seconds=-20), at(now, hours=-20, seconds=-8)
                )
            },
            "lastState": {},
        }
    ]

    def col():
        return [
            container(
                "collector",
                "otel/opentelemetry-collector-contrib:0.128.0",
                ports=[("otlp", 4317)],
                limits={"memory": "512Mi"},
                requests={"cpu": "100m", "memory": "256Mi"},
            )
        ]

    cdep, crs, cpods = app(
        "observability",
        "otel-collector",
        "5c6d7e8f9a",
        1,
        col,
        [[running(at(now, days=-3))]],
        nodes,
        at(now, days=-40),
        now,
    )

    def red():
        return [
            container(
                "redis",
                "redis:7.4",
                ports=[("redis", 6379)],
                limits={"memory": "1Gi"},
                requests={"cpu": "100m", "memory": "512Mi"},
            )
        ]

    rdep, rrs, rpods = app(
        "data-plane",
        "dedupe-cache",
        "6f5e4d3c2b",
        1,
        red,
        [[running(at(now, days=-9))]],
        nodes[1:],
        at(now, days=-60),
        now,
    )

    def stamp(sec):
        return ts(at(now, seconds=sec))

    gateway_log = []
    for i in range(40, 0, -1):
        gateway_log.append(
            f'{stamp(-i * 60)} {{"level":"info","msg":"accepted batch","batch":{88180 + 40 - i},"events":500,"source":"edge-eu-1"}}'
        )
        if i <= 14:
            gateway_log.append(
                f'{stamp(-i * 60 + 5)} {{"level":"warn","msg":"produce failed, retrying in 5s","broker":"kafka-0.kafka.data-plane.svc:9092","error":"dial tcp 10.244.9.17:9092: connect: connection refused"}}'
            )
        if i <= 9:
            gateway_log.append(
                f'{stamp(-i * 60 + 30)} {{"level":"error","msg":"batch dropped after 5 retries","batch":{88180 + 40 - i},"events":500,"error":"kafka: client has run out of available brokers to talk to"}}'
            )
    gateway_log.append(
        f'{stamp(-20)} {{"level":"info","msg":"health","ready":true,"buffered_batches":0}}'
    )
    envoy_log = []
    for i in range(30, 0, -1):
        code, flags = ("200", "-") if i > 12 else ("503", "UF")
        envoy_log.append(
            f'[{stamp(-i * 60)[:-1]}.{(i * 37) % 1000:03d}Z] "POST /v1/events HTTP/1.1" {code} {flags} 18233 {"91" if code == "200" else "0"} 12 - "10.244.3.40" "edge-forwarder/2.1" "{i:08x}-aa11-4c2b-9e07-5f1d2c3b4a59" "ingest.example.com" "127.0.0.1:8080"'
        )
    logs = {
        ("data-plane", pods[0]["metadata"]["name"], "gateway"): "\n".join(gateway_log) + "\n",
        ("data-plane", pods[0]["metadata"]["name"], "envoy"): "\n".join(envoy_log) + "\n",
        (
            "data-plane",
            pods[0]["metadata"]["name"],
            "wait-for-kafka",
        ): "nc: kafka-0.kafka.data-plane.svc (10.244.9.17:9092): Connection refused\n",
    }
    events = [
        event(
            "data-plane",
            "Pod",
            rpods[0]["metadata"]["name"],
            "Pulled",
            'Container image "redis:7.4" already present on machine',
            at(now, days=-9),
            at(now, days=-9),
            host="dp-node-2",
        ),
        event(
            "observability",
            "Pod",
            cpods[0]["metadata"]["name"],
            "Unhealthy",
            'Readiness probe failed: Get "http://10.244.5.3:13133/": dial tcp 10.244.5.3:13133: connect: connection refused',
            at(now, minutes=-50),
            at(now, minutes=-50),
            type_="Warning",
            host="dp-node-1",
        ),
    ]
    incident = {
        "id": iid,
        "title": "Direct question: the logs of a two-container pod (gateway and its envoy sidecar) that is Running and Ready",
        "time": ts(now),
        "question": "show me the logs of ingest-gateway in namespace data-plane",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "Not a diagnosis: the logs of pod data-plane/ingest-gateway-74b9c8d6f5-x7k2p, both containers. gateway: produce to kafka-0.kafka.data-plane.svc:9092 fails with connection refused and batches are dropped after 5 retries; envoy: POST /v1/events answered 503 UF for the last minutes.",
            "must_mention": [
                ["\\bgateway\\b"],
                ["envoy"],
                ["connection refused", "batch dropped", "run out of available brokers"],
                ["503"],
            ],
        },
        "tags": ["kubernetes", "direct-question", "logs", "multi-container"],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs, cdep, crs, rdep, rrs],
            "pods": pods + cpods + rpods,
            "events": events,
            "kube-system": ks,
            "config": [
                configmap(
                    "data-plane",
                    "ingest-gateway-envoy",
                    {"envoy.yaml": "static_resources:\n  listeners: []\n"},
                    at(now, days=-6),
                )
            ],
        },
        logs,
    )


def team_a_not_ready():
    now = datetime(2026, 11, 29, 13, 20, tzinfo=UTC)
    iid = "direct-not-ready-pods-team-a"
    nodes = [("pool-b-1", "10.90.0.11"), ("pool-b-2", "10.90.0.12")]
    born = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "team", "team-a", "team-ab"), nodes, born
    )

    def web():
        return [
            container(
                "web",
                "registry.example.com/team-a/web:2.8.1",
                ports=[("http", 8080)],
                limits={"memory": "512Mi"},
                requests={"cpu": "100m", "memory": "256Mi"},
                readiness=("/ready", 8080),
            )
        ]

    wdep, wrs, wpods = app(
        "team-a",
        "web",
        "5f6a7b8c9d",
        2,
        web,
        [[running(at(now, days=-2))], [running(at(now, days=-2))]],
        nodes,
        at(now, days=-30),
        now,
        revision=12,
    )

    def wk():
        return [
            container(
                "worker",
                "registry.example.com/team-a/worker:2.8.1",
                limits={"memory": "1Gi"},
                requests={"cpu": "250m", "memory": "512Mi"},
            )
        ]

    last = terminated("Error", 2, at(now, minutes=-6), at(now, minutes=-6, seconds=4))
    kdep, krs, kpods = app(
        "team-a",
        "report-worker",
        "6c7d8e9f0a",
        1,
        wk,
        [
            [
                waiting(
                    "CrashLoopBackOff",
                    "back-off 5m0s restarting failed container=worker",
                    restarts=11,
                    last=last,
                )
            ]
        ],
        nodes,
        at(now, hours=-2),
        now,
        revision=4,
    )

    def api():
        return [
            container(
                "api",
                "registry.example.com/team-a/api:2.8.1",
                ports=[("http", 8080)],
                limits={"memory": "768Mi"},
                requests={"cpu": "200m", "memory": "384Mi"},
                readiness=("/ready", 8080),
            ),
            container(
                "oauth2-proxy",
                "quay.io/oauth2-proxy/oauth2-proxy:v7.9.0",
                ports=[("proxy", 4180)],
                limits={"memory": "128Mi"},
                requests={"cpu": "50m", "memory": "64Mi"},
                readiness=("/ping", 4180),
            ),
        ]

    adep, ars, apods = app(
        "team-a",
        "api",
        "7d8e9f0a1b",
        1,
        api,
        [[running(at(now, hours=-1)), running(at(now, hours=-1), ready=False)]],
        nodes,
        at(now, days=-30),
        now,
        revision=9,
    )

    def gpu():
        return [
            container(
                "trainer",
                "registry.example.com/team-a/trainer:0.4.0",
                limits={"cpu": "48", "memory": "64Gi"},
                requests={"cpu": "48", "memory": "64Gi"},
            )
        ]

    gdep, grs, gpods = app(
        "team-a",
        "nightly-trainer",
        "8e9f0a1b2c",
        1,
        gpu,
        [[waiting("ContainerCreating", None)]],
        nodes,
        at(now, minutes=-25),
        now,
        revision=1,
    )
    gp = gpods[0]
    gp["spec"].pop("nodeName")
    gp["status"] = {
        "phase": "Pending",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
                "lastTransitionTime": ts(at(now, minutes=-25)),
            }
        ],
        "qosClass": "Guaranteed",
    }

    def rd():
        return [
            container(
                "redis",
                "redis:7.4",
                ports=[("redis", 6379)],
                limits={"memory": "1Gi"},
                requests={"cpu": "100m", "memory": "512Mi"},
            )
        ]

    rdep, rrs, rpods = app(
        "team-a",
        "redis",
        "9f0a1b2c3d",
        1,
        rd,
        [[running(at(now, days=-20))]],
        nodes[1:],
        at(now, days=-90),
        now,
    )
    # a finished job pod: Completed, not "not ready"
    job_pod = pod(
        "team-a",
        "db-migrate-29412345-kq7wd",
        ("", ""),
        {"job-name": "db-migrate-29412345"},
        [container("migrate", "registry.example.com/team-a/api:2.8.1", args=["migrate"])],
        [
            {
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {
                    "terminated": terminated(
                        "Completed", 0, at(now, minutes=-70), at(now, minutes=-69)
                    )
                },
                "lastState": {},
            }
        ],
        "pool-b-1",
        "10.90.0.11",
        "10.244.1.77",
        at(now, minutes=-71),
        now=now,
        phase="Succeeded",
    )
    job_pod["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "name": "db-migrate-29412345",
            "uid": uid("Job", "team-a", "db-migrate-29412345"),
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    bdep, brs, bpods = app(
        "team-ab",
        "web",
        "0a1b2c3d4e",
        1,
        web,
        [
            [
                waiting(
                    "ImagePullBackOff",
                    'Back-off pulling image "registry.example.com/team-ab/web:9.9.9"',
                )
            ]
        ],
        nodes,
        at(now, hours=-1),
        now,
    )
    events = [
        event(
            "team-a",
            "Pod",
            kpods[0]["metadata"]["name"],
            "BackOff",
            "Back-off restarting failed container worker in pod " + kpods[0]["metadata"]["name"],
            at(now, hours=-2),
            at(now, minutes=-1),
            count=120,
            type_="Warning",
            host=kpods[0]["spec"]["nodeName"],
        ),
        event(
            "team-a",
            "Pod",
            apods[0]["metadata"]["name"],
            "Unhealthy",
            'Readiness probe failed: Get "http://10.244.2.31:4180/ping": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
            at(now, minutes=-58),
            at(now, minutes=-1),
            count=340,
            type_="Warning",
            host=apods[0]["spec"]["nodeName"],
            field_path="spec.containers{oauth2-proxy}",
        ),
        event(
            "team-a",
            "Pod",
            gp["metadata"]["name"],
            "FailedScheduling",
            "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
            at(now, minutes=-25),
            at(now, minutes=-2),
            count=9,
            type_="Warning",
            component="default-scheduler",
        ),
        event(
            "team-ab",
            "Pod",
            bpods[0]["metadata"]["name"],
            "Failed",
            'Failed to pull image "registry.example.com/team-ab/web:9.9.9": not found',
            at(now, hours=-1),
            at(now, minutes=-3),
            count=14,
            type_="Warning",
            host=bpods[0]["spec"]["nodeName"],
        ),
        event(
            "team-a",
            "Job",
            "db-migrate-29412345",
            "Completed",
            "Job completed",
            at(now, minutes=-69),
            at(now, minutes=-69),
            component="job-controller",
            api_version="batch/v1",
        ),
    ]
    logs = {
        (
            "team-a",
            kpods[0]["metadata"]["name"],
            "worker.previous",
        ): f"{ts(at(now, minutes=-6))} starting report worker\n{ts(at(now, minutes=-6, seconds=3))} Traceback (most recent call last):\n  File \"/app/worker.py\", line 12, in <module>\n    import reportlab\nModuleNotFoundError: No module named 'reportlab'\n"
    }
    incident = {
        "id": iid,
        "title": "Direct question: which pods of team-a are not ready (a crash loop, a sidecar failing readiness, a pod Pending for CPU; a Completed job pod and team-ab's broken pod are not among them)",
        "time": ts(now),
        "question": "which pods in the team-a namespace are not ready?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "Three pods of team-a are not ready: report-worker (CrashLoopBackOff, 11 restarts), api (1/2 ready: oauth2-proxy fails its readiness probe) and nightly-trainer (Pending: Insufficient cpu). web and redis are ready; the db-migrate pod completed.",
            "must_mention": [
                ["report-worker"],
                ["crashloopbackoff"],
                ["api-7d8e9f0a1b", "\\bapi\\b.{0,80}1/2"],
                ["nightly-trainer"],
                ["pending"],
            ],
        },
        "tags": ["kubernetes", "direct-question", "not-ready", "hyphenated-namespace"],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [wdep, wrs, kdep, krs, adep, ars, gdep, grs, rdep, rrs, bdep, brs],
            "pods": wpods + kpods + apods + gpods + rpods + [job_pod] + bpods,
            "events": events,
            "kube-system": ks,
        },
        logs,
    )


def payments_changes():
    now = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    iid = "direct-what-changed-payments-rollout"
    nodes = [("pay-node-1", "10.95.0.11"), ("pay-node-2", "10.95.0.12")]
    born = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    ns_objs, node_objs, ks = _base(
        now, ("default", "kube-system", "payments", "payments-dr"), nodes, born
    )

    # kustomize's configMapGenerator: each edit is a new ConfigMap with a hash suffix, and the
    # Deployment rolls out to read it (the old one stays until pruned).
    def ledger(tag, flags_name="ledger-flags-5g8t2kb7mh"):
        def containers():
            return [
                container(
                    "ledger",
                    f"registry.example.com/payments/ledger:{tag}",
                    ports=[("http", 8080)],
                    env_from=[{"configMapRef": {"name": flags_name}}],
                    limits={"memory": "1Gi"},
                    requests={"cpu": "500m", "memory": "512Mi"},
                    readiness=("/ready", 8080),
                )
            ]

        return containers

    # The rollout 18 minutes ago: a new ReplicaSet at revision 31, the old one scaled to 0.
    dep, rs_new, pods = app(
        "payments",
        "ledger",
        "6d9f7c8b5a",
        2,
        ledger("7.3.0"),
        [[running(at(now, minutes=-17))], [running(at(now, minutes=-16))]],
        nodes,
        at(now, days=-200),
        now,
        revision=31,
    )
    rs_new["metadata"]["creationTimestamp"] = ts(at(now, minutes=-18))
    for p in pods:
        p["metadata"]["creationTimestamp"] = ts(at(now, minutes=-18))
    rs_old = replicaset(
        "payments",
        "ledger",
        "5c8e6b7a49",
        {"app": "ledger"},
        ledger("7.2.4")(),
        0,
        0,
        at(now, days=-9),
        30,
    )
    rs_old["status"] = {"replicas": 0, "observedGeneration": 3}

    def scorer():
        return [
            container(
                "scorer",
                "registry.example.com/payments/fraud-scorer:2.0.1",
                ports=[("grpc", 9000)],
                limits={"memory": "2Gi"},
                requests={"cpu": "1", "memory": "1Gi"},
            )
        ]

    sdep, srs, spods = app(
        "payments",
        "fraud-scorer",
        "4b7a6c5d3e",
        2,
        scorer,
        [[running(at(now, days=-4))], [running(at(now, days=-4))]],
        nodes,
        at(now, days=-120),
        now,
        revision=12,
    )
    dr, drs, dpods = app(
        "payments-dr",
        "ledger",
        "3a6b5c4d2f",
        1,
        ledger("7.2.4"),
        [[running(at(now, days=-9))]],
        nodes[1:],
        at(now, days=-200),
        now,
        revision=30,
    )
    flags_new = configmap(
        "payments",
        "ledger-flags-5g8t2kb7mh",
        {"LEDGER_ASYNC_POSTING": "true", "LEDGER_BATCH_SIZE": "500"},
        at(now, minutes=-19),
        labels={"app": "ledger"},
    )
    flags_old = configmap(
        "payments",
        "ledger-flags-9c4dk7h2tb",
        {"LEDGER_ASYNC_POSTING": "false", "LEDGER_BATCH_SIZE": "500"},
        at(now, days=-9),
        labels={"app": "ledger"},
    )
    flags_dr = configmap(
        "payments-dr",
        "ledger-flags-9c4dk7h2tb",
        {"LEDGER_ASYNC_POSTING": "false", "LEDGER_BATCH_SIZE": "500"},
        at(now, days=-9),
        labels={"app": "ledger"},
    )
    config = [
        flags_new,
        flags_old,
        flags_dr,
        configmap(
            "payments",
            "fraud-rules",
            {"rules.yaml": "- id: velocity\n  max_per_minute: 12\n"},
            at(now, days=-30),
        ),
        secret_meta("payments", "ledger-db", at(now, days=-150)),
    ]
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": "fraud-scorer",
            "namespace": "payments",
            "uid": uid("HPA", "payments", "fraud-scorer"),
            "creationTimestamp": ts(at(now, days=-120)),
        },
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "fraud-scorer",
            },
            "minReplicas": 2,
            "maxReplicas": 8,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
        "status": {"currentReplicas": 2, "desiredReplicas": 2},
    }
    events = [
        event(
            "payments",
            "Deployment",
            "ledger",
            "ScalingReplicaSet",
            "Scaled up replica set ledger-6d9f7c8b5a from 0 to 1",
            at(now, minutes=-18),
            at(now, minutes=-18),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "payments",
            "Deployment",
            "ledger",
            "ScalingReplicaSet",
            "Scaled down replica set ledger-5c8e6b7a49 from 2 to 1",
            at(now, minutes=-17),
            at(now, minutes=-17),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "payments",
            "Deployment",
            "ledger",
            "ScalingReplicaSet",
            "Scaled up replica set ledger-6d9f7c8b5a from 1 to 2",
            at(now, minutes=-17),
            at(now, minutes=-17),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "payments",
            "Deployment",
            "ledger",
            "ScalingReplicaSet",
            "Scaled down replica set ledger-5c8e6b7a49 from 1 to 0",
            at(now, minutes=-16),
            at(now, minutes=-16),
            component="deployment-controller",
            api_version="apps/v1",
        ),
        event(
            "payments",
            "Pod",
            pods[0]["metadata"]["name"],
            "Pulled",
            'Successfully pulled image "registry.example.com/payments/ledger:7.3.0" in 2.113s (2.113s including waiting). Image size: 98213344 bytes.',
            at(now, minutes=-18),
            at(now, minutes=-18),
            host=pods[0]["spec"]["nodeName"],
        ),
        event(
            "payments",
            "Pod",
            spods[0]["metadata"]["name"],
            "Unhealthy",
            'Readiness probe failed: timeout: failed to connect service ":9000" within 1s',
            at(now, hours=-3),
            at(now, hours=-3),
            type_="Warning",
            host=spods[0]["spec"]["nodeName"],
        ),
    ]
    incident = {
        "id": iid,
        "title": "Direct question: what changed in payments in the last hour (a ledger rollout 18 minutes ago reading a new generated ConfigMap; older objects and a DR namespace are noise)",
        "time": ts(now),
        "question": "what changed in namespace payments in the last hour?",
        "sources": ["kubernetes"],
        "expected": {
            "root_cause": "Not a diagnosis: in the last hour Deployment payments/ledger rolled out revision 31 (ReplicaSet ledger-6d9f7c8b5a, image ledger:7.3.0, created 18m ago; ledger-5c8e6b7a49 scaled to 0) reading the new ConfigMap payments/ledger-flags-5g8t2kb7mh (LEDGER_ASYNC_POSTING now true, created 19m ago); fraud-scorer, fraud-rules, ledger-db and namespace payments-dr did not change.",
            "must_mention": [
                ["ledger-6d9f7c8b5a"],
                ["ledger-flags"],
                ["scal(ed|ingreplicaset)", "rolled out", "rollout"],
            ],
        },
        "tags": ["kubernetes", "direct-question", "changes"],
    }
    write_bundle(
        OUT / iid,
        incident,
        {
            "namespaces": ns_objs,
            "nodes": node_objs,
            "workloads": [dep, rs_new, rs_old, sdep, srs, dr, drs, hpa],
            "pods": pods + spods + dpods,
            "events": events,
            "kube-system": ks,
            "config": config,
        },
        {},
    )


ALL = (
    "checkout_dns",
    "label_studio_slash",
    "vllm_configmap",
    "index_sync_sa",
    "ingest_logs",
    "team_a_not_ready",
    "payments_changes",
)

if __name__ == "__main__":
    for name in sys.argv[1:] or ALL:
        globals()[name]()
