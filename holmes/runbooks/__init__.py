"""The built-in runbooks (YAML data, one problem class per file), loaded by holmes.agent."""
