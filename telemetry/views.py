"""Dispatcher pages: each view renders its template; the page's JavaScript reads /api/v1."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fleet.views import page_context


@login_required
def live_map(request: HttpRequest) -> HttpResponse:
    return render(request, "telemetry/live_map.html", page_context(request, nav="map"))


@login_required
def replay(request: HttpRequest) -> HttpResponse:
    return render(request, "telemetry/replay.html", page_context(request, nav="replay"))


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "telemetry/reports.html", page_context(request, nav="reports"))


@login_required
def alarms(request: HttpRequest) -> HttpResponse:
    return render(request, "telemetry/alarms.html", page_context(request, nav="alarms"))
