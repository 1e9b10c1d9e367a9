"""CEL functions for the network runbooks; each module lists its own in `FUNCTIONS`.

The network runbooks (hubble-policy-denied, cilium-auth-required, dns-failures,
upstream-http-5xx) read `hubble_flow_summary` data (drops by reason with their conversations,
HTTP servers, DNS names), the network policies of the namespaces involved and
`kubernetes_list`/`kubernetes_get` results. All functions are pure; each module lists the ones it
defines in its `FUNCTIONS` table:

- `evidence`: the data of tool results, flow summaries, the items and unhealthy pods of listings;
- `scope`: what concerns the subject (its named workloads, Services or pods, else its namespace);
- `drops`: the dropped conversations of one reason about the subject, and their namespaces;
- `dns`: DNS conversations, failed names, and the Service a misspelt name meant;
- `upstream`: HTTP servers answering 5xx, the log line of an overloaded server, its HPA;
- `selectors`: labels and label selectors, as Kubernetes and Cilium match them;
- `rules`: what one policy rule admits, and the rule that would admit a dropped peer;
- `policies`: the policies that select a dropped endpoint, and what each admits;
- `asked`: the conversation a question names (client, server, port), judged without Hubble.

Registered by `holmes.agent.engine.rules.builtin`, which lists every module.
"""
