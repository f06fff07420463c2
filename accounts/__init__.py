"""Users, organisations and roles, and the Tracksolid accounts they connect."""
