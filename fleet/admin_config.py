"""Admin autodiscovery that skips django-leaflet's admin module.

``leaflet.admin`` imports GeoDjango widgets, which need the GDAL C library; the embedded mode runs
on a bare Python install without it, and we use Leaflet only in our own pages and widgets.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

SKIPPED = {"leaflet"}


class FleetAdminConfig(SimpleAdminConfig):
    def ready(self) -> None:
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name in SKIPPED:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")
