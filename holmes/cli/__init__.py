"""The `holmes` command."""
