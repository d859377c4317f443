"""Every topic of MQTT contract v1, in one place.

`{site}`, `{device}` and `{room}` are `[a-z0-9-]{1,32}` (checked by the config), so they are
always single, wildcard-free topic levels.
"""

from __future__ import annotations

PREFIX = "piste/v1"

# Command names as they appear after `cmd/` in the topic.
ISSUE = "ticket/issue"
CALL = "ticket/call"
RECALL = "ticket/recall"
NO_SHOW = "ticket/no-show"
COMPLETE = "ticket/complete"
TRANSFER = "ticket/transfer"
CANCEL = "ticket/cancel"
REINSTATE = "ticket/reinstate"  # an addition to v1: a late no-show gets its place back
REPLAY = "events/replay"
COMMANDS: tuple[str, ...] = (
    ISSUE, CALL, RECALL, NO_SHOW, COMPLETE, TRANSFER, CANCEL, REINSTATE, REPLAY,
)


def site_root(site: str) -> str:
    return f"{PREFIX}/{site}"


def device_status(site: str, device: str) -> str:
    return f"{PREFIX}/{site}/device/{device}/status"


def device_health(site: str, device: str) -> str:
    return f"{PREFIX}/{site}/device/{device}/health"


def queue_state(site: str) -> str:
    return f"{PREFIX}/{site}/queue/state"


def queue_events(site: str) -> str:
    return f"{PREFIX}/{site}/queue/events"


def command(site: str, name: str) -> str:
    return f"{PREFIX}/{site}/cmd/{name}"


def command_filter(site: str) -> str:
    return f"{PREFIX}/{site}/cmd/#"


def command_name(site: str, topic: str) -> str | None:
    """The command a topic names (`ticket/issue`), or None if it is no command topic."""
    head = f"{PREFIX}/{site}/cmd/"
    if not topic.startswith(head):
        return None
    name = topic[len(head) :]
    return name if name in COMMANDS else None


def reply(site: str, client: str) -> str:
    """Where a client asks the controller to answer (the MQTT 5 response topic)."""
    return f"{PREFIX}/{site}/reply/{client}"


def room_occupancy(site: str, room: str) -> str:
    return f"{PREFIX}/{site}/room/{room}/occupancy"


def site_config(site: str) -> str:
    """The retained, versioned site config a technician pushes (an addition to v1)."""
    return f"{PREFIX}/{site}/config/site"


def alert(site: str, kind: str) -> str:
    return f"{PREFIX}/{site}/alert/{kind}"
