"""API v1 routes (``/api/v1/``): the token login, devices and groups from ``fleet.api``,
commands from ``fleet.api_commands``, positions, tracks, reports and alarms from ``telemetry``."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from fleet import api, api_commands
from telemetry import api as telemetry_api
from telemetry import api_positions, api_reports

router = SimpleRouter()
router.register("devices", api.DeviceViewSet, basename="device")
router.register("groups", api.DeviceGroupViewSet, basename="group")
router.register("trips", telemetry_api.TripViewSet, basename="trip")
router.register("stops", telemetry_api.StopViewSet, basename="stop")
router.register("alarms", telemetry_api.AlarmViewSet, basename="alarm")
router.register("commands", api_commands.CommandViewSet, basename="command")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", api.AuthTokenView.as_view(), name="api-token"),
    path(
        "positions/latest/",
        api_positions.LatestPositionsView.as_view(),
        name="api-positions-latest",
    ),
    path(
        "devices/<int:pk>/track/",
        api_positions.DeviceTrackView.as_view(),
        name="api-device-track",
    ),
    path(
        "devices/<int:pk>/command-templates/",
        api_commands.DeviceCommandTemplatesView.as_view(),
        name="api-device-command-templates",
    ),
    path("summaries/daily/", api_reports.DailySummaryView.as_view(), name="api-summaries-daily"),
    *router.urls,
]
