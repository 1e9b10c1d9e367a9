"""The HTTP API, the Alertmanager webhook and the Slack responder."""
