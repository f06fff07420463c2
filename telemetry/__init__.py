"""Positions, trips, stops, alarms and pushed readings; pollers, push views, the ingest path."""
