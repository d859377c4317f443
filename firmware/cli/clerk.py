"""`piste clerk`: a terminal console for a clerk or a technician in one room.

    n              call the next customer for the room's services
    n kela vero    call the next customer for these services only
    n K042         call this ticket
    r              recall: call the same customer again
    x              no-show: the customer did not come
    c              complete the customer being served
    t vero         transfer the customer being served to another authority
    b K042         bring back a no-show who arrived late (within the grace time)
    d K042         cancel a waiting ticket
    q              quit
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, TextIO

from firmware.cli.common import load_config_or_exit
from firmware.device import DeviceError, parse_broker_url
from firmware.web.texts import describe
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient, BrokerUnreachable

HELP = __doc__.split("\n\n", 1)[1]
TICKET = re.compile(r"^[A-Za-z]?\d{1,3}$")

def parse_line(line: str, room: str, known: set[str]) -> tuple[str, dict[str, Any]] | str | None:
    """A typed line as (command, body), a message for the clerk, or None to quit."""
    words = line.split()
    if not words:
        return ""
    verb, rest = words[0].lower(), words[1:]
    if verb in ("q", "quit"):
        return None
    if verb in ("n", "next"):
        if len(rest) == 1 and TICKET.match(rest[0]):
            return topics.CALL, {"room": room, "ticket": rest[0].upper()}
        unknown = [w for w in rest if w not in known]
        if unknown:
            return f"Unknown service {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        return topics.CALL, {"room": room, "services": rest}
    simple = {"r": topics.RECALL, "x": topics.NO_SHOW, "c": topics.COMPLETE}
    if verb in simple:
        return simple[verb], {"room": room}
    if verb == "t" and len(rest) == 1:
        if rest[0] not in known:
            return f"Unknown service {rest[0]}; known: {', '.join(sorted(known))}"
        return topics.TRANSFER, {"room": room, "to_service": rest[0]}
    by_ticket = {"b": topics.REINSTATE, "d": topics.CANCEL}
    if verb in by_ticket and len(rest) == 1 and TICKET.match(rest[0]):
        return by_ticket[verb], {"ticket": rest[0].upper()}
    return HELP


def session(client: BlockingClient, room: str, known: set[str], lines: TextIO,
            out: TextIO) -> None:
    print(HELP, file=out)
    for line in lines:
        parsed = parse_line(line, room, known)
        if parsed is None:
            return
        if isinstance(parsed, str):
            if parsed:
                print(parsed, file=out)
            continue
        command, body = parsed
        try:
            print(describe(client.request(command, body), command), file=out)
        except TimeoutError:
            print(describe(None, command), file=out)


def clerk_main(config_path: Path, room: str, broker: str | None) -> int:
    config = load_config_or_exit(config_path)
    if config.room(room) is None:
        print(f"room '{room}' is not in {config_path}; rooms: "
              f"{', '.join(r.id for r in config.rooms)}", file=sys.stderr)
        return 2
    try:
        host, port = parse_broker_url(broker) if broker else (config.broker.host,
                                                               config.broker.port)
    except DeviceError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        with BlockingClient(host, port, config.site.id, client=f"clerk-{room}",
                            username=config.broker.username,
                            password=config.broker.password) as client:
            print(f"Room {room} at {config.site.name.en}.")
            session(client, room, {s.id for s in config.services}, sys.stdin, sys.stdout)
    except BrokerUnreachable as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
