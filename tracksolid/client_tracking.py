"""Spec sections 5 and 6: tracking, telemetry reports and alarms, with the vendor's limits.

Limits (field notes): 50 IMEIs per batch call (100 for ``jimi.device.location.get``); a track
call covers at most 7 days within the last ~3 months and must end before now; an alarm call
covers at most one month and returns at most 1000 rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from .client_core import ClientCore, chunks, imei_list, windows
from .errors import RetentionExceeded
from .normalise import vendor_time
from .records import (
    AlarmRecord,
    DeviceLocation,
    LbsLocation,
    ParkingRecord,
    TagLocation,
    TrackPoint,
    Trip,
)

__all__ = ["TrackingMethods"]

BATCH = 50
LOCATION_BATCH = 100
TRACK_SPAN = timedelta(days=7)
# A calendar month is at least 28 days, so 28-day windows are within any reading of "1 month".
ALARM_SPAN = timedelta(days=28)
# Trip and parking reports share the alarm list's one-month limit (seen on the real service).
REPORT_SPAN = ALARM_SPAN
ALARM_ROW_CAP = 1000
# Below this a window that still hits the row cap is not split further.
ALARM_MIN_SPAN = timedelta(minutes=1)


class TrackingMethods(ClientCore):
    # -- 5.1 / 5.2 latest positions ----------------------------------------------------------

    def user_device_location_list(
        self, target: str | None = None, map_type: str | None = None
    ) -> list[DeviceLocation]:
        """``jimi.user.device.location.list``: the whole fleet in one call.

        The vendor silently leaves out devices that never reported.
        """
        method = "jimi.user.device.location.list"
        payload = self.result(method, {"target": target or self.target, "map_type": map_type})
        return self.parse_rows(method, payload, DeviceLocation.parse)

    def device_location_get(
        self, imeis: Sequence[str] | str, map_type: str | None = None
    ) -> list[DeviceLocation]:
        """``jimi.device.location.get``, 100 IMEIs per call."""
        method = "jimi.device.location.get"
        result: list[DeviceLocation] = []
        for chunk in chunks(imei_list(imeis), LOCATION_BATCH):
            payload = self.result(method, {"imeis": ",".join(chunk), "map_type": map_type})
            result.extend(self.parse_rows(method, payload, DeviceLocation.parse))
        return result

    def device_location_url_share(self, imei: str) -> str | None:
        """``jimi.device.location.URL.share``: a shareable map link."""
        payload = self.result("jimi.device.location.URL.share", {"imei": imei})
        return self.str_field(payload, "URL", "url")

    # -- 5.4 trips ---------------------------------------------------------------------------

    def device_track_mileage(
        self,
        imeis: Sequence[str] | str,
        begin_time: datetime,
        end_time: datetime,
        *,
        page_size: int = 100,
    ) -> list[Trip]:
        """``jimi.device.track.mileage``: trips, 50 IMEIs and 28 days per call, every page.

        A trip that straddles two windows may be reported by neither (the vendor reports trips
        that end inside the window), so keep ranges under 28 days where that matters.
        """
        method = "jimi.device.track.mileage"
        trips: list[Trip] = []
        end_time = self.before_now(end_time)
        if end_time <= begin_time:
            return trips
        for chunk in chunks(imei_list(imeis), BATCH):
            for start, stop in windows(begin_time, end_time, REPORT_SPAN):
                rows = self.paged(
                    method,
                    {
                        "imeis": ",".join(chunk),
                        "begin_time": vendor_time(start),
                        "end_time": vendor_time(stop),
                    },
                    page_size=page_size,
                    style="row",
                    first=0,
                )
                trips.extend(Trip.parse(row, distance_unit=self.mileage_unit) for row in rows)
        return trips

    # -- 5.5 track ---------------------------------------------------------------------------

    def device_track_list(
        self,
        imei: str,
        begin_time: datetime,
        end_time: datetime,
        map_type: str | None = None,
    ) -> list[TrackPoint]:
        """``jimi.device.track.list``: every point, in windows of at most 7 days.

        Refuses (``RetentionExceeded``) a range starting before the retention horizon (90 days
        by default); an end in the future is clamped to now, since the vendor requires it.
        """
        method = "jimi.device.track.list"
        now = self.clock()
        horizon = now - self.retention
        if begin_time < horizon:
            raise RetentionExceeded(
                f"track history before {horizon.isoformat(timespec='seconds')} is gone: the "
                f"vendor keeps about {self.retention.days} days; use our stored history instead",
                method,
                horizon=horizon,
            )
        end_time = self.before_now(end_time)
        points: list[TrackPoint] = []
        if end_time <= begin_time:
            return points
        for start, stop in windows(begin_time, end_time, TRACK_SPAN):
            payload = self.result(
                method,
                {
                    "imei": imei,
                    "begin_time": vendor_time(start),
                    "end_time": vendor_time(stop),
                    "map_type": map_type,
                },
                timeout=self.track_timeout,
            )
            points.extend(TrackPoint.parse(row, imei=imei) for row in self.rows(payload, method)[0])
        return _dedupe_points(points)

    # -- 5.6 LBS / 5.7 parking / 5.8 TAG -----------------------------------------------------

    def lbs_address_get(
        self, imei: str, lbs: str | None = None, wifi: str | None = None
    ) -> LbsLocation:
        """``jimi.lbs.address.get`` (quota about 10 calls per device per day)."""
        method = "jimi.lbs.address.get"
        payload = self.result(method, {"imei": imei, "lbs": lbs, "wifi": wifi})
        return self.parse_one(method, payload, LbsLocation.parse)

    def open_platform_report_parking(
        self,
        imeis: Sequence[str] | str,
        start_time: datetime,
        end_time: datetime,
        *,
        account: str | None = None,
        acc_type: str = "0",
        page_size: int = 100,
    ) -> list[ParkingRecord]:
        """``jimi.open.platform.report.parking``: stops or idling, 50 IMEIs and 28 days a call.

        ``acc_type`` defaults to ``"0"``, which has been reported to be required.
        """
        method = "jimi.open.platform.report.parking"
        records: list[ParkingRecord] = []
        end_time = self.before_now(end_time)
        if end_time <= start_time:
            return records
        for chunk in chunks(imei_list(imeis), BATCH):
            for start, stop in windows(start_time, end_time, REPORT_SPAN):
                rows = self.paged(
                    method,
                    {
                        "account": account or self.target,
                        "imeis": ",".join(chunk),
                        "start_time": vendor_time(start),
                        "end_time": vendor_time(stop),
                        "acc_type": acc_type,
                    },
                    page_size=page_size,
                    style="row",
                    first=0,
                )
                records.extend(ParkingRecord.parse(row) for row in rows)
        return records

    def device_location_get_tag_msg(self, imei: str) -> TagLocation | None:
        """``jimi.device.location.getTagMsg``: latest beacon/TAG position (``None`` if none yet)."""
        method = "jimi.device.location.getTagMsg"
        payload = self.result(method, {"imei": imei})
        if payload is None:
            return None
        return self.parse_one(method, payload, lambda row: TagLocation.parse(row, imei=imei))

    # -- 6.1 alarms --------------------------------------------------------------------------

    def device_alarm_list(
        self,
        imeis: Sequence[str] | str,
        begin_time: datetime | None = None,
        end_time: datetime | None = None,
        *,
        page_size: int = ALARM_ROW_CAP,
    ) -> list[AlarmRecord]:
        """``jimi.device.alarm.list``: all alarms in the range, whatever its length.

        The range is cut into windows of at most 28 days, each paged with ``page_no`` from 1;
        a window that reaches the vendor's 1000-row cap is halved and fetched again. Without a
        range, the vendor's default applies (the latest 50 of the last month).
        """
        method = "jimi.device.alarm.list"
        alarms: list[AlarmRecord] = []
        for chunk in chunks(imei_list(imeis), BATCH):
            base = {"imeis": ",".join(chunk)}
            if begin_time is None or end_time is None:
                payload = self.result(method, {**base, "page_size": page_size})
                alarms.extend(self.parse_rows(method, payload, AlarmRecord.parse))
                continue
            end = self.before_now(end_time)
            if end <= begin_time:
                continue
            pending = windows(begin_time, end, ALARM_SPAN)
            while pending:
                start, stop = pending.pop(0)
                rows = self._alarm_window(method, base, start, stop, page_size)
                if rows is None:
                    middle = start + (stop - start) / 2
                    pending[:0] = [(start, middle), (middle, stop)]
                    continue
                alarms.extend(AlarmRecord.parse(row) for row in rows)
        return _dedupe_alarms(alarms)

    def _alarm_window(
        self,
        method: str,
        base: Mapping[str, object],
        start: datetime,
        stop: datetime,
        page_size: int,
    ) -> list[Mapping[str, Any]] | None:
        """The rows of one window, or ``None`` if it hit the row cap and should be split."""
        rows = self.paged(
            method,
            {**base, "begin_time": vendor_time(start), "end_time": vendor_time(stop)},
            page_size=min(page_size, ALARM_ROW_CAP),
            style="page",
            first=1,
        )
        if len(rows) >= ALARM_ROW_CAP and stop - start > ALARM_MIN_SPAN:
            return None
        return rows


def _dedupe_points(points: list[TrackPoint]) -> list[TrackPoint]:
    """Adjacent windows share their boundary second; keep the first of equal points."""
    seen: set[tuple[object, ...]] = set()
    result = []
    for point in points:
        key = (point.gps_time, point.lat, point.lng)
        if point.gps_time is not None and key in seen:
            continue
        seen.add(key)
        result.append(point)
    return result


def _dedupe_alarms(alarms: list[AlarmRecord]) -> list[AlarmRecord]:
    seen: set[tuple[object, ...]] = set()
    result = []
    for alarm in alarms:
        key = (alarm.imei, alarm.type_id, alarm.alarm_time, alarm.lat, alarm.lng)
        if alarm.alarm_time is not None and key in seen:
            continue
        seen.add(key)
        result.append(alarm)
    return result
