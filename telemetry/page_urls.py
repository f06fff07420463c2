"""Dispatcher pages: live map, trail replay, reports, alarms (and the organisation switcher)."""

from django.urls import URLPattern, URLResolver, path

from fleet import views as fleet_views
from telemetry import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("map/", views.live_map, name="live-map"),
    path("replay/", views.replay, name="replay"),
    path("reports/", views.reports, name="reports"),
    path("alarms/", views.alarms, name="alarms"),
    path("devices/", fleet_views.device_list, name="device-list"),
    path("organisation/", fleet_views.switch_organisation, name="switch-organisation"),
]
