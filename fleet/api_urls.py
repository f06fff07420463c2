"""API v1 routes (``/api/v1/``): the token login, devices and groups from ``fleet.api``,
positions, tracks, reports and alarms from ``telemetry``."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from fleet import api
from telemetry import api as telemetry_api
from telemetry import api_positions, api_reports

router = SimpleRouter()
router.register("devices", api.DeviceViewSet, basename="device")
router.register("groups", api.DeviceGroupViewSet, basename="group")
router.register("trips", telemetry_api.TripViewSet, basename="trip")
router.register("stops", telemetry_api.StopViewSet, basename="stop")
router.register("alarms", telemetry_api.AlarmViewSet, basename="alarm")

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
    path("summaries/daily/", api_reports.DailySummaryView.as_view(), name="api-summaries-daily"),
    *router.urls,
]
