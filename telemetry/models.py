"""Telemetry models (built with the ingestion issue)."""
