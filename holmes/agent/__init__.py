"""The investigation: triage, runbook matching, the LLM agent and the Diagnosis model."""
