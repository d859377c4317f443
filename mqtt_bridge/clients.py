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

KIOSK_COMMANDS = (topics.ISSUE,)
ROOM_COMMANDS = (topics.CALL, topics.RECALL, topics.NO_SHOW, topics.COMPLETE)
CLERK_COMMANDS = (*ROOM_COMMANDS, topics.TRANSFER, topics.CANCEL, topics.REINSTATE)
COLLECTOR_COMMANDS = (topics.REPLAY,)
FEEDBACK_COMMANDS = (topics.FEEDBACK, topics.SURVEY)
# The staff console (web role) serves many people: clerks of every room, the advisor who
# issues tickets for customers and enters paper feedback forms. It checks each person's
# role itself, on the server, before it sends anything; to the controller it is one client.
CONSOLE_COMMANDS = (*CLERK_COMMANDS, topics.ISSUE, *FEEDBACK_COMMANDS)
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


def clerk_user(room: str) -> str:
    return f"clerk-{room}"


def site_clients(config: SiteConfig) -> dict[str, Client]:
    """Every client the site's config names, with what it may ask."""
    clients: dict[str, Client] = {device.id: device_client(config, device)
                                  for device in config.devices}
    for room in config.rooms:
        name = clerk_user(room.id)
        clients.setdefault(name, Client(name, frozenset(CLERK_COMMANDS), room=room.id))
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
    return None
