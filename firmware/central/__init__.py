"""The national level: site bridges to a central broker, the central collector and
national statistics."""
