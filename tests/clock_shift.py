"""Run the suite at another hour: ``FLEET_TEST_CLOCK=2026-11-28T03:00:00Z make test``.

The simulated fleet drives, parks and goes offline by the wall clock, so a test that leans on
what the fleet does "now" can pass at 14:00 and fail at 03:00. This plugin moves the whole
process's clock (simulator threads included) to the given instant and lets it tick; unset, it
does nothing. Browser tests are not shifted (the browser keeps the real clock).
"""

import os

import time_machine

_target = os.environ.get("FLEET_TEST_CLOCK")
if _target:
    time_machine.travel(_target, tick=True).start()
