"""Dispatcher pages: live map, trail replay, reports, alarms, devices (and the organisation
switcher)."""

from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, path
from django.views.generic import RedirectView

from fleet import views as fleet_views
from telemetry import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("map/", views.live_map, name="live-map"),
    path("replay/", views.replay, name="replay"),
    path("reports/", views.reports, name="reports"),
    path("alarms/", views.alarms, name="alarms"),
    # Not "device-list": the API router's DeviceViewSet has that name, and reversing it gave the
    # top bar a link to /api/v1/devices/.
    path("devices/", fleet_views.device_list, name="devices-page"),
    path("organisation/", fleet_views.switch_organisation, name="switch-organisation"),
    # Pages name their icon in base.html; admin pages and feed readers still ask for this one.
    path("favicon.ico", RedirectView.as_view(url=static("img/favicon.svg")), name="favicon"),
]
