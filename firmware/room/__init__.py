"""The room role: the room's number screen, occupancy sensors, clerk keys and door signal."""
