"""Who may ask the controller what: one table for the broker's ACL and the controller.

Every client of a site has a name: a device's id, `clerk-{room}` for a room's clerk console,
`collector` and `technician`. In production the broker binds each connection to its user
name and lets it publish commands only on `cmd/{command}/{its name}`, so the controller can
trust the name in the topic and check here what that client may do: a kiosk issues tickets,
a room unit and a clerk act for their own room only, the collector replays events.
Pure: no paho, no broker; the ACL generator and the controller both read this table. What a
device may ask comes from its roles' declarations (firmware/roles.py); the commands of each
role are named here, for those declarations and for the consoles that are no device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firmware.roles import declared
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.payloads import Command

# A kiosk issues tickets (never marked for assistance nor with further authorities: see
# `refusal`) and its help key asks the advisor to come.
KIOSK_COMMANDS = (topics.ISSUE, topics.HELP_REQUEST)
# A room unit acts for its own room: its keys call, and a long press pauses or resumes it.
ROOM_COMMANDS = (topics.CALL, topics.RECALL, topics.NO_SHOW, topics.COMPLETE, topics.ROOM_STATE)
CLERK_COMMANDS = (*ROOM_COMMANDS, topics.TRANSFER, topics.CANCEL, topics.REINSTATE,
                  topics.ADD_SERVICE, topics.ROOM_LANGUAGES)
COLLECTOR_COMMANDS = (topics.REPLAY,)
FEEDBACK_COMMANDS = (topics.FEEDBACK, topics.SURVEY)
# An exit-route feedback device: the ratings, and (like a kiosk) asking for the advisor.
FEEDBACK_DEVICE_COMMANDS = (*FEEDBACK_COMMANDS, topics.HELP_REQUEST)
# The staff console (web role) serves many people: clerks of every room, the advisor who
# issues tickets for customers, marks who needs assistance, reprints lost slips, answers a
# kiosk's call for help and enters paper feedback forms. It checks each person's role
# itself, on the server, before it sends anything; to the controller it is one client.
CONSOLE_COMMANDS = (*CLERK_COMMANDS, topics.ISSUE, *FEEDBACK_COMMANDS, topics.ASSIST,
                    topics.REPRINT, topics.HELP_ANSWER)
COLLECTOR = "collector"
TECHNICIAN = "technician"


@dataclass(frozen=True)
class Client:
    name: str
    commands: frozenset[str]
    room: str | None = None  # the one room it may act for; None: no room of its own
    kiosk: bool = False  # a ticket dispenser: the per-kiosk ticket cap applies
    printer: bool = False  # it has a printer: only then may its health raise printer alerts
    feedback: bool = False  # an exit-route feedback device: its votes are capped per minute
    console: bool = False  # the staff console: acts for any room, for the logged-in staff
    clerk: bool = False  # a room's clerk console: staff, who may see who needs assistance

    @property
    def staff(self) -> bool:
        """Staff may be told what the lobby may not (a ticket needs assistance, its chain)."""
        return self.console or self.clerk


def clerk_user(room: str) -> str:
    return f"clerk-{room}"


def site_clients(config: SiteConfig) -> dict[str, Client]:
    """Every client the site's config names, with what it may ask."""
    clients: dict[str, Client] = {device.id: device_client(config, device)
                                  for device in config.devices}
    for room in config.rooms:
        name = clerk_user(room.id)
        clients.setdefault(name, Client(name, frozenset(CLERK_COMMANDS), room=room.id,
                                        clerk=True))
    clients.setdefault(COLLECTOR, Client(COLLECTOR, frozenset(COLLECTOR_COMMANDS)))
    clients.setdefault(TECHNICIAN, Client(TECHNICIAN, frozenset()))
    return clients


def device_client(config: SiteConfig, device: Device) -> Client:
    """A device, with the commands and traits its roles declare."""
    commands: set[str] = set()
    traits: dict[str, Any] = {}
    for role in declared().of(device):
        commands.update(role.commands(config, device))
        traits.update(role.client(device))
    return Client(device.id, frozenset(commands), **traits)


def refusal(client: Client, command: Command) -> str | None:
    """Why `client` may not send `command` (a sentence for the answer), or None if it may."""
    if command.name not in client.commands:
        return f"'{client.name}' may not send {command.name}"
    room = command.body.get("room")
    if room is not None and room != client.room and not client.console:
        return f"'{client.name}' acts for room {client.room}, not for room {room}"
    # Marking a customer as needing assistance, or planning their next authority, is the
    # staff's call: a kiosk offering it would have it pressed by everyone.
    body = command.body
    if body.get("assistance") and command.name == topics.ISSUE \
            and topics.ASSIST not in client.commands:
        return (f"'{client.name}' may not mark a ticket as needing assistance; the service "
                "advisor does that at the staff console")
    if body.get("then") and topics.ADD_SERVICE not in client.commands:
        return (f"'{client.name}' may not send a customer on to another authority; the "
                "clerk or the service advisor does that at the staff console")
    return None
