from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FleetConfig(AppConfig):
    name = "fleet"
    verbose_name = "Fleet"

    def ready(self) -> None:
        from fleet.schedules import install_default_schedules

        # Default rows after migrate, as django.contrib.auth does for permissions.
        post_migrate.connect(install_default_schedules, sender=self)
