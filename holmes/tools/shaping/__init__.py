"""Evidence shaping: logs, events, series and flows compacted so the decisive fact survives."""
