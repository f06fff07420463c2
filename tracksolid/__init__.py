"""Vendor boundary for Jimi IoT's Tracksolid Pro: signing, client, errors, push parsing, simulator.

Nothing in this package imports Django; it is the only code that talks to the vendor.
"""
