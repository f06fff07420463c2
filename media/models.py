"""Media models (built with the media issue)."""
