"""A Tracksolid Pro simulator: the vendor API, its quirks, a moving fleet and its pushes."""

from __future__ import annotations

from .config import SimulatorConfig
from .core import Simulator

__all__ = ["Simulator", "SimulatorConfig"]
