"""List filters of API v1 devices and groups (django-filter); they narrow a queryset that
``for_user`` already scoped, so no filter can widen what a user sees."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from fleet.models import Device, DeviceGroup
from telemetry.selectors import DISPLAY_STATUSES, status_case


class DeviceFilter(django_filters.FilterSet):  # type: ignore[misc]
    status = django_filters.ChoiceFilter(
        choices=[(s, s) for s in DISPLAY_STATUSES],
        method="filter_status",
        help_text="moving, idle, parked, offline or unknown.",
    )
    group = django_filters.NumberFilter(field_name="group_id", help_text="A group id.")
    organisation = django_filters.NumberFilter(
        field_name="organisation_id", help_text="An organisation id (for users in several)."
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text="Part of the name, IMEI, plate or driver."
    )

    class Meta:
        model = Device
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Device], name: str, value: str) -> QuerySet[Device]:
        return queryset.alias(_status=status_case(timezone.now(), "state__")).filter(_status=value)

    def filter_search(self, queryset: QuerySet[Device], name: str, value: str) -> QuerySet[Device]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(device_name__icontains=text)
            | Q(imei__icontains=text)
            | Q(vehicle_number__icontains=text)
            | Q(vehicle_name__icontains=text)
            | Q(driver_name__icontains=text)
        )


class DeviceGroupFilter(django_filters.FilterSet):  # type: ignore[misc]
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = DeviceGroup
        fields: list[str] = []


def without(params: Any, *names: str) -> Any:
    """A copy of query parameters without ``names`` (the counts ignore the status filter)."""
    data = params.copy()
    for name in names:
        data.pop(name, None)
    return data
