"""Dashcam photos, videos, alarm media, and live and history streams."""
