"""Geofences: our own, the vendor's platform fences and device fences, and enter/exit events."""
