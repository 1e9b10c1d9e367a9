"""Alembic's environment for the store: migrations run on the connection `migrate` passes.

No alembic.ini and no logging set-up: `holmes serve` runs `upgrade head` at start inside its
own transaction (see `holmes.server.store.engine.migrate`).
"""

from __future__ import annotations

from alembic import context

from holmes.server.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
