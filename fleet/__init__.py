"""The Fleet project package: settings, URLs, the Celery app, and the fleet domain."""

from fleet.celery import app as celery_app

__all__ = ["celery_app"]
