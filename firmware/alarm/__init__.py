"""The alarm role: the relay device of the silent alarm (issue 26). When nobody acknowledges
a staff alarm in time it switches a relay (the building's alarm panel input, a strobe) and
tells every console that the alarm escalated."""
