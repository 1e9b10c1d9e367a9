"""The runbook engine: a question or an alert in, a `Diagnosis` out, with no LLM.

intake -> triage -> ranking -> steps (gather) -> findings -> answer or abstain; the rule functions
runbooks call live in `rules/`. The LLM agent (`holmes.agent.llm`) starts from what this engine
gathered; this package never imports it.
"""
