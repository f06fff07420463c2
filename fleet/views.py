"""Server-rendered pages of the fleet domain."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fleet.models import Device


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The fleet overview: the devices this user may see."""
    devices = (
        Device.objects.for_user(request.user)
        .active()
        .select_related("group", "organisation")
        .order_by("device_name", "imei")
    )
    return render(request, "fleet/home.html", {"devices": devices[:500], "total": devices.count()})
