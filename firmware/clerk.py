"""`piste clerk`: a terminal console for a clerk or a technician in one room.

    n            call the next customer for the room's services
    n kela vero  call the next customer for these services only
    c            complete the customer being served
    q            quit
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from firmware.device import DeviceError, parse_broker_url
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient, BrokerUnreachable

HELP = __doc__.split("\n\n", 1)[1]


def describe(answer: dict[str, Any], what: str) -> str:
    """An answer in the words a clerk wants to read."""
    if not answer.get("ok"):
        error = answer.get("error") or {}
        return f"Not done ({error.get('code', 'error')}): {error.get('message', '')}"
    ticket = answer.get("ticket")
    if ticket is None:
        return "Nobody is waiting for these services."
    if what == "call":
        return f"Called {ticket['number']} ({ticket['service']}) to room {ticket['room']}."
    return f"Completed {ticket['number']}."


def session(client: BlockingClient, room: str, known: set[str], lines: TextIO,
            out: TextIO) -> None:
    print(HELP, file=out)
    for line in lines:
        words = line.split()
        if not words:
            continue
        verb, rest = words[0].lower(), words[1:]
        try:
            if verb in ("q", "quit"):
                return
            if verb in ("n", "next"):
                unknown = [w for w in rest if w not in known]
                if unknown:
                    print(f"Unknown service {', '.join(unknown)}; known: "
                          f"{', '.join(sorted(known))}", file=out)
                    continue
                answer = client.request(topics.CALL, {"room": room, "services": rest})
                print(describe(answer, "call"), file=out)
            elif verb in ("c", "complete"):
                print(describe(client.request(topics.COMPLETE, {"room": room}), "complete"),
                      file=out)
            else:
                print(HELP, file=out)
        except TimeoutError:
            print("The controller did not answer; nothing was changed. Try again.", file=out)


def clerk_main(config_path: Path, room: str, broker: str | None) -> int:
    from firmware.cli import load_config_or_exit

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
