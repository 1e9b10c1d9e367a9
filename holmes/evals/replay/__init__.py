"""Replay servers: a recorded incident served over the protocols a live cluster speaks."""
