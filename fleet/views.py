"""Server-rendered pages of the fleet domain, and the organisation switcher every page shares."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from fleet.models import Device
from telemetry.selectors import status_case

# The session key holding the organisation a user in several organisations is looking at.
ACTIVE_ORGANISATION = "active_organisation_id"


def active_organisation(request: HttpRequest) -> Organisation | None:
    """The organisation chosen in the switcher, if it is still one the user belongs to."""
    wanted = request.session.get(ACTIVE_ORGANISATION)
    if wanted is None:
        return None
    return request.user.organisations().filter(pk=wanted).first()  # type: ignore[union-attr]


def page_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    """What base.html's organisation switcher and every page's JavaScript need.

    ``page_config`` reaches the page through ``json_script`` (never inline markup); the page
    modules read it to find the API, the tile server, the user's time zone and the active
    organisation (sent to the API as ``organisation=<id>``).
    """
    organisations = list(request.user.organisations().only("id", "name"))  # type: ignore[union-attr]
    active = active_organisation(request) if len(organisations) > 1 else None
    config = {
        "api": "/api/v1/",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
        "timeZone": getattr(request.user, "time_zone", "") or "UTC",
        "organisation": active.pk if active else None,
        "offlineAfter": settings.DEVICE_OFFLINE_AFTER,
        "pages": {
            "map": reverse("live-map"),
            "replay": reverse("replay"),
            "reports": reverse("reports"),
            "alarms": reverse("alarms"),
        },
    }
    return {
        "organisations": organisations,
        "active_organisation": active,
        "page_config": config,
        **extra,
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The dispatcher's start page is the live map."""
    return redirect("live-map")


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    """A plain table of the devices this user may see (works without JavaScript)."""
    context = page_context(request)
    devices = Device.objects.for_user(request.user).active()
    if context["active_organisation"] is not None:
        devices = devices.for_organisation(context["active_organisation"].pk)
    devices = (
        devices.select_related("group", "organisation", "state")
        .annotate(display_status=status_case(timezone.now(), "state__"))
        .order_by("device_name", "imei")
    )
    context.update(devices=devices[:500], total=devices.count())
    return render(request, "fleet/device_list.html", context)


@login_required
@require_POST
def switch_organisation(request: HttpRequest) -> HttpResponse:
    """Store the organisation picked in the top bar; an empty choice means all of them."""
    wanted = request.POST.get("organisation", "")
    organisations = request.user.organisations()  # type: ignore[union-attr]
    if wanted.isdigit() and organisations.filter(pk=int(wanted)).exists():
        request.session[ACTIVE_ORGANISATION] = int(wanted)
    else:
        request.session.pop(ACTIVE_ORGANISATION, None)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("live-map")
    return HttpResponseRedirect(back)
