"""Sample evidence for the network functions' tests: tool results and flow summaries."""

from __future__ import annotations


def ok(data, item=None):
    return {"id": "E1", "ok": True, "data": data, "text": "", "item": item}


def pair(client, server, port, direction="INGRESS", protocol="TCP", count=10, **extra):
    cns, cname = client.split("/")
    sns, sname = server.split("/")
    return {
        "client": client,
        "server": server,
        "port": port,
        "protocol": protocol,
        "service": f"{protocol}/{port}",
        "direction": direction,
        "count": count,
        "client_namespace": cns,
        "server_namespace": sns,
        "client_labels": {"app": cname, "io.kubernetes.pod.namespace": cns},
        "server_labels": {"app": sname, "io.kubernetes.pod.namespace": sns},
        "denied_by": [],
        "nodes": ["n1"],
        **extra,
    }


def summary(drops=(), http=(), dns=()):
    return ok(
        {
            "drops": list(drops),
            "conversations": [],
            "http_servers": list(http),
            "dns_names": list(dns),
        }
    )
