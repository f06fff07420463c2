"""The fleet's records: accounts, groups and devices, and the device kinds the world builds."""

from __future__ import annotations

from dataclasses import dataclass, field

# kind -> (models, cameras, reporting interval while moving in seconds)
MODELS: dict[str, tuple[tuple[str, ...], int, float]] = {
    "vehicle": (("GT06N", "JM-VL03", "JM-VL02"), 0, 10.0),
    "obd": (("JM-VG01U", "JM-VG04Q"), 0, 15.0),
    "dashcam": (("JC400P", "JC450", "JC261"), 2, 10.0),
    "tag": (("JM-LG05",), 0, 300.0),
}
# The first ten devices cover every kind, so even a 10-device test fleet has each one.
# fmt: off
PATTERN = ("vehicle", "vehicle", "obd", "dashcam", "vehicle", "tag", "dashcam", "obd", "vehicle",
           "vehicle")
# fmt: on
HEARTBEAT = 180.0
IDLE_REPORT = 60.0
TAG_PARKED_REPORT = 1800.0
# fmt: off
FIRST_NAMES = ("Carlos", "Ana", "Luis", "Marta", "Javier", "Lucia", "Pablo", "Elena", "Diego",
               "Sara", "Hugo", "Irene", "Raul", "Nuria", "Omar", "Paula")
# fmt: on
LAST_NAMES = ("Garcia", "Lopez", "Martin", "Sanchez", "Perez", "Gomez", "Ruiz", "Diaz", "Moreno")


@dataclass
class Account:
    account: str
    parent: str | None
    name: str


@dataclass
class Group:
    group_id: str
    group_name: str
    account: str


@dataclass
class Device:
    index: int
    imei: str
    kind: str
    model: str
    cameras: int
    account: str
    device_name: str
    vehicle_name: str
    vehicle_number: str
    driver_name: str
    driver_phone: str
    sim: str
    iccid: str
    activation: float
    expiration: float
    group_id: str
    depot: tuple[int, int]
    cruise: float
    fast_roads: bool
    interval: float
    never_reported: bool = False
    vehicle_icon: str = "car"
    remarks: str = ""
    enabled: int = 1
    mileage_offset: float = 0.0
    bound_users: set[str] = field(default_factory=set)
    has_fuel: bool = False
    has_temp: bool = False
    has_rfid: bool = False
