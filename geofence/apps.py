from django.apps import AppConfig


class GeofenceConfig(AppConfig):
    name = "geofence"
