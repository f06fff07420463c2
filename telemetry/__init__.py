"""Positions, trips, stops, alarms and every pushed reading; the pollers, push views and the one ingest path."""
