"""Every topic of MQTT contract v1, in one place.

`{site}`, `{device}` and `{room}` are `[a-z0-9-]{1,32}` (checked by the config), so they are
always single, wildcard-free topic levels.
"""

from __future__ import annotations

import re

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
FEEDBACK = "feedback/give"  # an addition to v1: a customer's rating on the exit route
SURVEY = "survey/answer"  # an addition to v1: one answer to the yearly customer survey
# Additions of a real day (issue 24): customers who need help, several authorities in one
# visit, a reprinted slip, rooms on a break and the languages they serve, a kiosk's help key.
ASSIST = "ticket/assist"
ADD_SERVICE = "ticket/add-service"
REPRINT = "ticket/reprint"
ROOM_STATE = "room/state"
ROOM_LANGUAGES = "room/languages"
HELP_REQUEST = "help/request"
HELP_ANSWER = "help/answer"
COMMANDS: tuple[str, ...] = (
    ISSUE, CALL, RECALL, NO_SHOW, COMPLETE, TRANSFER, CANCEL, REINSTATE, REPLAY, FEEDBACK,
    SURVEY, ASSIST, ADD_SERVICE, REPRINT, ROOM_STATE, ROOM_LANGUAGES, HELP_REQUEST, HELP_ANSWER,
)
# Site, device, room and client names: one topic level, never a wildcard.
ID_PATTERN = re.compile(r"[a-z0-9-]{1,32}")


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


def command(site: str, name: str, client: str | None = None) -> str:
    """A command's topic. With `client`, the sender's name as the last level: the broker's
    ACL lets each user publish only under its own name, so the controller knows who asked."""
    base = f"{PREFIX}/{site}/cmd/{name}"
    return f"{base}/{client}" if client else base


def command_filter(site: str) -> str:
    return f"{PREFIX}/{site}/cmd/#"


def command_name(site: str, topic: str) -> str | None:
    """The command a topic names (`ticket/issue`), or None if it is no command topic."""
    parsed = parse_command_topic(site, topic)
    return parsed[0] if parsed else None


def parse_command_topic(site: str, topic: str) -> tuple[str, str | None] | None:
    """(command, sender) of a command topic: `cmd/ticket/call/room-1` is ("ticket/call",
    "room-1"), the bare v1 form `cmd/ticket/call` has no sender. None: no command topic."""
    head = f"{PREFIX}/{site}/cmd/"
    if not topic.startswith(head):
        return None
    rest = topic[len(head) :]
    if rest in COMMANDS:
        return rest, None
    name, _, client = rest.rpartition("/")
    if name in COMMANDS and ID_PATTERN.fullmatch(client):
        return name, client
    return None


def reply_client(site: str, topic: str) -> str | None:
    """The client a `reply/{client}` topic belongs to, or None for any other topic (another
    device's status, the queue state, a wildcard, a deeper level)."""
    head = f"{PREFIX}/{site}/reply/"
    if not topic.startswith(head):
        return None
    client = topic[len(head) :]
    return client if ID_PATTERN.fullmatch(client) else None


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


def kiosk_print(site: str, kiosk: str) -> str:
    """A ticket the advisor issued at the staff console, for this kiosk to print (an
    addition to v1; only the console writes it, only that kiosk reads it)."""
    return f"{PREFIX}/{site}/kiosk/{kiosk}/print"


# -- reading topics back ------------------------------------------------------------------
# Every topic a receiver takes apart goes through these, never through slicing by hand: a
# topic that only looks like one (a level too many, a wildcard, another site) is None.


def parse(topic: str) -> tuple[str, tuple[str, ...]] | None:
    """(site, the levels below the site) of a contract topic: `piste/v1/hki/queue/state` is
    ("hki", ("queue", "state")). None for a topic outside the prefix or with no site."""
    head, _, rest = topic.partition(f"{PREFIX}/")
    if head or not rest:
        return None
    site, _, below = rest.partition("/")
    if not ID_PATTERN.fullmatch(site) or not below:
        return None
    return site, tuple(below.split("/"))


def levels(site: str, topic: str) -> tuple[str, ...] | None:
    """The levels of a topic below this site's root, or None for another site's topic."""
    parsed = parse(topic)
    return parsed[1] if parsed and parsed[0] == site else None


def device_part(site: str, topic: str) -> tuple[str, str] | None:
    """(device, "status" or "health") of a device topic of this site, or None."""
    match levels(site, topic):
        case ("device", device, "status" | "health" as part) if ID_PATTERN.fullmatch(device):
            return device, part
    return None


def device_of_status(site: str, topic: str) -> str | None:
    """The device a `device/{device}/status` topic is about, or None."""
    found = device_part(site, topic)
    return found[0] if found and found[1] == "status" else None


def device_of_health(site: str, topic: str) -> str | None:
    """The device a `device/{device}/health` topic is about, or None."""
    found = device_part(site, topic)
    return found[0] if found and found[1] == "health" else None


def room_of_occupancy(site: str, topic: str) -> str | None:
    """The room a `room/{room}/occupancy` topic is about, or None."""
    match levels(site, topic):
        case ("room", room, "occupancy") if ID_PATTERN.fullmatch(room):
            return room
    return None


# -- following a ticket on a phone (issue 25) ---------------------------------------------
# Public: what the lobby display shows of one ticket, under the key of its token (never the
# token itself), and the site's heartbeat. Read by the public pages at the site and, through
# the bridge, at the centre.

KEY_PATTERN = re.compile(r"[0-9a-f]{32}")  # phone_tokens.key_of


def public_ticket(site: str, key: str) -> str:
    return f"{PREFIX}/{site}/public/ticket/{key}"


def public_alive(site: str) -> str:
    return f"{PREFIX}/{site}/public/alive"


def public_filter(site: str) -> str:
    """Everything public of one site (the web role's public listener subscribes to it)."""
    return f"{PREFIX}/{site}/public/#"


PUBLIC_ALL_SITES = f"{PREFIX}/+/public/#"  # the central relay's subscription


def parse_public(topic: str) -> tuple[str, str | None] | None:
    """(site, key) of a public ticket topic, (site, None) of a site's `public/alive`; None
    for any other topic (a level too many, a key that is no key, another subtree)."""
    parsed = parse(topic)
    if parsed is None:
        return None
    site, below = parsed
    match below:
        case ("public", "alive"):
            return site, None
        case ("public", "ticket", key) if KEY_PATTERN.fullmatch(key):
            return site, key
    return None


# -- the silent alarm (issue 26) -----------------------------------------------------------
# Staff only, never public: a room unit (its own room) or the staff console raises
# `alarm/{room}/raised`; the console answers on `alarm/{room}/answer` (acknowledged by a
# guard or an advisor, later cleared); the alarm role's relay device says
# `alarm/{room}/escalated` when nobody acknowledged in time. All three are retained, QoS 1,
# and read by the consoles, the relay device, the room unit of that room and the controller.

ALARM_PARTS = ("raised", "answer", "escalated")


def alarm_raised(site: str, room: str) -> str:
    return f"{PREFIX}/{site}/alarm/{room}/raised"


def alarm_answer(site: str, room: str) -> str:
    return f"{PREFIX}/{site}/alarm/{room}/answer"


def alarm_escalated(site: str, room: str) -> str:
    return f"{PREFIX}/{site}/alarm/{room}/escalated"


def alarm_filter(site: str, room: str = "+") -> str:
    """Every alarm topic of the site, or of one room."""
    return f"{PREFIX}/{site}/alarm/{room}/#"


def parse_alarm(site: str, topic: str) -> tuple[str, str] | None:
    """(room, part) of an alarm topic of this site, part one of ALARM_PARTS; None for any
    other topic (another site, a level too many, a room that is no id)."""
    match levels(site, topic):
        case ("alarm", room, part) if ID_PATTERN.fullmatch(room) and part in ALARM_PARTS:
            return room, part
    return None
