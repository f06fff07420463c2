"""Geofence models (built with the geofence issue)."""
