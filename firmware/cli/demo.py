"""`piste demo`: a simulated lobby on real parts.

A private Mosquitto on a free port; the demo site's lobby device (controller + kiosk with a
file printer + display) in this process; a waiting-area display as a separate `piste run`
process; simulated customers touching the kiosk and simulated clerks calling and completing
through the MQTT contract, at accelerated time (a morning in about a minute). It leaves the
raw ESC/POS of every ticket and PNG frames of the screens, and prints a summary. When the
lobby device has the web role, the staff console runs too, on this machine only, with five
demo logins whose fresh passwords are printed once at the start. When the site has a room
unit with an alarm key and a device with the alarm role, the morning ends with the silent
alarm: the clerk holds the key once and nobody answers (demo_alarm.py).
"""

from __future__ import annotations

import dataclasses
import logging
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from firmware.admin.data_lock import DataDirBusy, DataDirLock
from firmware.admin.files import write_atomic
from firmware.broker import LocalBroker
from firmware.cli.common import load_config_or_exit
from firmware.cli.demo_alarm import AlarmOutcome, AlarmParts, hold_the_alarm_key
from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.core import day_report, service_hours
from firmware.core.events import EventType
from firmware.core.password import hash_secret
from firmware.core.plural import counted
from firmware.device import build_runtime
from firmware.runtime import Runtime
from firmware.site_model import Device, PhoneConfig, SiteConfig
from firmware.web.accounts import StaffUser, users_text
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient

log = logging.getLogger(__name__)

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "config" / "demo-site.toml"
MORNING_START = dtime(8, 50)
MORNING_HOURS = 3.0  # simulated hours that pass during the demo
PAGE_LOOK_S = 0.3  # a simulated customer looks for their authority again after a page turn
DEMO_LANGS = ("fi", "sv", "en")
DEMO_LANG_WEIGHTS = (7, 2, 1)  # a bilingual lobby's customers by language of service
RECALL_SHARE = 0.1  # customers called a second time: they did not come at once
ONWARD_SHARE = 0.2  # Kela's customers who go on to the Tax Administration after
LUNCH_AT = 0.4  # the share of the morning after which one room's clerk goes to lunch
LUNCH_MINUTES = 30.0
ADVISOR_AT = 0.25  # when the advisor issues a number for a customer who needs assistance
DEMO_LOGINS = (("clerk1", "clerk"), ("advisor", "advisor"), ("service", "service"),
               ("tech", "technician"), ("guard", "guard"))


def demo_day(today: date) -> date:
    """The next Tuesday: the day most of the demo site's authorities are in."""
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def windowed(config: SiteConfig) -> SiteConfig:
    """The demo shows windows, never takes over a technician's whole screen; and its staff
    console listens on this machine only, as the demo prints its logins for all to read."""
    devices = tuple(
        dataclasses.replace(d, screen=dataclasses.replace(d.screen, fullscreen=False),
                            web=dataclasses.replace(d.web, bind="127.0.0.1"))
        for d in config.devices
    )
    return dataclasses.replace(config, devices=devices, phone=local_phone_pages(config.phone))


def local_phone_pages(phone: PhoneConfig) -> PhoneConfig:
    """The phone pages on this machine too: the tickets' QR codes open the lobby device's
    own listener on localhost, which a browser here reaches (a phone on the network would
    need the site's real address)."""
    if not phone.enabled or not phone.public_port:
        return phone
    return dataclasses.replace(phone, public_bind="127.0.0.1",
                               base_url=f"https://localhost:{phone.public_port}/t/")


def only_what_runs(config: SiteConfig) -> SiteConfig:
    """The site as the demo runs it: the lobby device, one more display, the feedback
    device by the exit, the room unit with the alarm key and the alarm's relay device. The
    room units the demo never starts are left out, so the console's "Needs attention" lists
    what is expected and missing, not six units nobody runs."""
    lobby = next((d for d in config.devices if "controller" in d.roles), None)
    display = next((d for d in config.devices
                    if d is not lobby and "display" in d.roles), None)
    exit_device = next((d for d in config.devices if "feedback" in d.roles), None)
    kept = {d.id for d in (lobby, display, exit_device, alarm_room_unit(config),
                           relay_device(config)) if d is not None}
    return dataclasses.replace(config, devices=tuple(d for d in config.devices if d.id in kept))


def alarm_room_unit(config: SiteConfig) -> Device | None:
    """The room unit whose clerk holds the alarm key in the demo: the first with one."""
    return next((d for d in config.devices if "room" in d.roles
                 and getattr(d.room_unit, "alarm_key", None) is not None), None)


def relay_device(config: SiteConfig) -> Device | None:
    """The device that switches the alarm's relay (the alarm role), if the site has one."""
    return next((d for d in config.devices if "alarm" in d.roles), None)


def console_clerk_room(config: SiteConfig) -> str | None:
    """The room the demo's clerk login serves from the browser: the first room. The
    simulated clerks leave it alone while the console runs, so a number called there is
    the newcomer's own until they complete it."""
    return config.rooms[0].id if config.rooms else None


def demo_logins(config: SiteConfig, users_file: Path) -> list[str]:
    """For the demo only: a clerk of the first room, an advisor, the service team, a
    technician and the lobby guard, with passwords made now (never a fixed one anybody could
    look up), written as `piste web-user` writes them. Each as "name / password (role)", to
    print once."""
    return [shown for _, shown in make_demo_logins(config, users_file).values()]


def make_demo_logins(config: SiteConfig, users_file: Path) -> dict[str, tuple[str, str]]:
    """The demo logins written to `users_file`: name -> (password, as printed)."""
    users: list[StaffUser] = []
    made: dict[str, tuple[str, str]] = {}
    for name, role in DEMO_LOGINS:
        room = console_clerk_room(config) if role == "clerk" else None
        if role == "clerk" and room is None:
            continue
        password = f"{role}-{secrets.token_hex(4)}"
        users.append(StaffUser(name, role, hash_secret(password), room))
        made[name] = (password,
                      f"{name} / {password} ({role}{f', room {room}' if room else ''})")
    write_atomic(users_file, users_text(users), mode=0o600)
    return made


def staff_console(runtime: Runtime) -> dict[str, tuple[str, str]]:
    """When the lobby device serves the console: make the demo logins, and once the console
    has started say where it is and how to log in, or why it is not there (a port in use
    stops the console only, never the demo). The logins made: name -> (password, shown)."""
    web = runtime.device.web
    if "web" not in runtime.device.roles:
        return {}
    users_file = Path(web.users_file)
    made = make_demo_logins(runtime.config, users_file if users_file.is_absolute()
                            else runtime.data_dir / users_file)
    logins = [shown for _, shown in made.values()]
    role: Any = next(r for r in runtime.roles if r.name == "web")  # firmware.web.role

    def announce() -> None:
        deadline = time.monotonic() + 30
        while role.server is None and not role.problem and time.monotonic() < deadline:
            time.sleep(0.05)
        if role.server is None:
            why = role.problem or "it did not start"
            print(f"Staff console: unavailable ({why}); the demo runs without it", flush=True)
            return
        own = " (self-signed certificate)" if not web.cert_file else ""
        print(f"Staff console: https://localhost:{web.port}/{own} — logins: "
              f"{', '.join(logins)}", flush=True)
        phone = runtime.config.phone
        if not (phone.enabled and phone.public_port):
            return
        while role.public is None and not role.public_problem and time.monotonic() < deadline:
            time.sleep(0.05)  # it starts just after the console
        if role.public is not None:
            print(f"Phone pages: https://localhost:{role.public.port}/ — type the code printed "
                  "on a ticket, or open its QR code", flush=True)
        elif role.public_problem:
            print(f"Phone pages: unavailable ({role.public_problem})", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    return made


def staffed_by_console(runtime: Runtime) -> frozenset[str]:
    """The rooms a person serves from the demo's console (none when it has no console)."""
    room = console_clerk_room(runtime.config)
    return frozenset({room} if room and "web" in runtime.device.roles else ())


class Simulation:
    def __init__(self, runtime: Runtime, broker: LocalBroker, customers: int, seconds: float,
                 seed: int = 7, staffed_rooms: frozenset[str] = frozenset()) -> None:
        self.runtime = runtime
        self.broker = broker
        self.config = runtime.config
        self.clock = runtime.clock
        self.speed = getattr(runtime.clock, "speed", 1.0)
        self.customers = customers
        self.seconds = seconds
        self.random = random.Random(seed)
        self.done = threading.Event()
        self.touches = 0
        self.exit: Runtime | None = None  # the feedback device by the exit, when the site has one
        self.leaving = 0
        self.at_kiosk = False  # a customer is choosing their language and authority
        self.staffed_rooms = staffed_rooms  # rooms a person serves from the console
        # The silent alarm at the end of the morning, when the site has its parts.
        self.alarm: AlarmParts | None = None
        self.alarm_outcome: AlarmOutcome | None = None
        self.started = time.monotonic()
        rooms = self.simulated_rooms()
        self.lunch_room = rooms[0] if len(rooms) > 1 else None  # one room goes to lunch

    def simulated_rooms(self) -> list[str]:
        """The rooms the simulated clerks serve: every room but the console's own."""
        return [r.id for r in self.config.rooms if r.id not in self.staffed_rooms]

    def sim_sleep(self, minutes: float) -> bool:
        """Sleep simulated minutes; False when the demo is over."""
        return not self.done.wait(minutes * 60 / self.speed)

    # customers ------------------------------------------------------------------------
    def customer_arrivals(self) -> None:
        gaps = [self.random.expovariate(1.0) for _ in range(self.customers)]
        scale = (self.seconds * 0.8) / sum(gaps)  # all arrive within the first 80 %
        for gap in gaps:
            if self.done.wait(gap * scale):
                return
            self.runtime.post(self._touch_an_open_service)

    def _touch_an_open_service(self) -> None:
        if self.at_kiosk:  # someone is still choosing: the next customer waits their turn
            self.runtime.call_later(PAGE_LOOK_S, self._touch_an_open_service)
            return
        kiosk = next(r for r in self.runtime.roles if r.name == "kiosk")
        if kiosk.phase == "ticket":  # type: ignore[attr-defined]
            # The previous customer took the slip; the screen goes back to the start.
            kiosk.back_to_start()  # type: ignore[attr-defined]
            kiosk.render()
        now = self.clock.now()
        open_ids = [s.id for s in self.config.services
                    if service_hours.is_open(s, self.config.site, now)]
        if not open_ids:
            return
        weights = [3 if sid == "kela" else 1 for sid in open_ids]  # Kela is the busiest
        service_id = self.random.choices(open_ids, weights)[0]
        # A bilingual lobby: most customers are served in Finnish, some in Swedish, a few
        # in English; they choose their language at the kiosk before their authority.
        lang = self.random.choices(DEMO_LANGS, DEMO_LANG_WEIGHTS)[0]
        spot = kiosk.button_at("lang", lang)  # type: ignore[attr-defined]
        self.at_kiosk = True
        if lang != kiosk.flow.lang and spot is not None:  # type: ignore[attr-defined]
            self._touch(kiosk, spot)
            self.runtime.call_later(PAGE_LOOK_S, lambda: self._touch_service(
                kiosk, service_id, len(self.config.services)))
            return
        self._touch_service(kiosk, service_id, len(self.config.services))

    def _touch(self, kiosk: Any, pos: tuple[int, int]) -> None:
        import pygame

        window = kiosk.screen.window
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=pos, button=1, window=window))

    def _touch_service(self, kiosk: Any, service_id: str, turns_left: int) -> None:
        """The authority's button if it is on the page shown; else the page turn, and a look
        again once the kiosk has drawn the next page (as a customer reads the list)."""
        pos = kiosk.button_center(service_id)
        if pos is None and turns_left > 0:
            pos = kiosk.page_turn_center()
            if pos is not None:
                self.runtime.call_later(PAGE_LOOK_S, lambda: self._touch_service(
                    kiosk, service_id, turns_left - 1))
                self._touch(kiosk, pos)
                return  # still reading the list
        elif pos is not None:
            self.touches += 1
        if pos is not None:
            self._touch(kiosk, pos)
        self.at_kiosk = False  # the number is taken (or the customer gave up)

    # clerks ---------------------------------------------------------------------------
    def clerk(self, room_id: str) -> None:
        with BlockingClient(self.broker.host, self.broker.port, self.config.site.id,
                            client=f"demo-clerk-{room_id}") as client:
            lunch = room_id == self.lunch_room
            while not self.done.is_set():
                if lunch and self.elapsed() >= LUNCH_AT:
                    lunch = False
                    if not self._lunch_break(client, room_id):
                        break
                # After lunch the clerk simply calls the next customer: that resumes the room.
                answer = self.ask(client, topics.CALL, {"room": room_id, "services": []})
                ticket = answer.get("ticket") if answer.get("ok") else None
                if ticket is None:
                    if not self.sim_sleep(3):
                        break
                    continue
                if not self._serve(client, room_id, ticket):
                    break

    def _serve(self, client: BlockingClient, room_id: str, ticket: dict) -> bool:
        """One customer in the room: now and then called again (they did not come at once),
        and now and then sent on to a second authority with the same number."""
        service = self.config.service(ticket["service"])
        mean = service.mean_service_minutes if service else 10
        if self.random.random() < RECALL_SHARE:
            if not self.sim_sleep(0.7):
                return False
            self.ask(client, topics.RECALL, {"room": room_id})
        if not self.sim_sleep(1.5 + self.random.uniform(0.5, 1.5) * mean):
            return False
        body: dict[str, Any] = {"room": room_id}
        onward = self._onward(ticket)
        if onward:
            body["then"] = onward
        self.ask(client, topics.COMPLETE, body)
        if not onward:
            self._leave()
        return True

    def _onward(self, ticket: dict) -> str | None:
        """The second authority a served customer still needs, if any: Kela's customers
        sometimes go on to the Tax Administration (`then` planned at issue goes by itself)."""
        if ticket.get("then") or ticket.get("leg", 1) > 1:
            return None
        target = "vero" if ticket["service"] == "kela" else None
        if target is None or self.config.service(target) is None:
            return None
        open_now = service_hours.is_open(self.config.service(target), self.config.site,  # type: ignore[arg-type]
                                         self.clock.now())
        return target if open_now and self.random.random() < ONWARD_SHARE else None

    def _lunch_break(self, client: BlockingClient, room_id: str) -> bool:
        """The room's clerk goes to lunch (between customers: each one is completed before
        the next call): the room is paused, nobody is called to it, the estimates know; the
        clerk's next call after it resumes the room."""
        self.ask(client, topics.ROOM_STATE, {"room": room_id, "state": "paused",
                                             "reason": "lunch"})
        return self.sim_sleep(LUNCH_MINUTES)

    def advisor(self) -> None:
        """The service advisor in the lobby: one customer who needs assistance, with a visit
        to two authorities planned at issue, gets a number printed on the kiosk."""
        with BlockingClient(self.broker.host, self.broker.port, self.config.site.id,
                            client="demo-advisor") as client:
            while self.elapsed() < ADVISOR_AT:
                if not self.sim_sleep(2):
                    return
            services = [s.id for s in self.config.services
                        if service_hours.is_open(s, self.config.site, self.clock.now())]
            if "kela" not in services:
                return
            body: dict[str, Any] = {"service": "kela", "lang": "sv", "assistance": True}
            if "vero" in services:
                body["then"] = ["vero"]
            self.ask(client, topics.ISSUE, body)

    def elapsed(self) -> float:
        """The share of the demo's time that has passed, 0 to 1."""
        return (time.monotonic() - self.started) / self.seconds

    # the way out ----------------------------------------------------------------------
    def _leave(self) -> None:
        """A served customer passes the feedback device: half press a face, and now and then
        one answers the whole survey on its screen (as its touches would, through the inbox)."""
        if self.exit is None or self.random.random() < 0.5:
            return
        role = next(r for r in self.exit.roles if r.name == "feedback")
        self.leaving += 1
        if self.leaving % 5 == 0 and role.flow.survey_open:  # type: ignore[attr-defined]
            self._answer_survey(role)
            return
        face = self.random.choices([1, 2, 3, 4], [1, 2, 6, 8])[0]
        self.exit.post(lambda: role.on_face_key(face))  # type: ignore[attr-defined]

    def _answer_survey(self, role: object) -> None:
        assert self.exit is not None
        steps = [("lang", self.random.choice(["fi", "sv", "en"])), ("survey", ""),
                 ("no", ""), ("no", "")]
        steps += [step for _ in range(16) for step in
                  (("score", str(self.random.choice([6, 7, 8, 8, 9, 9, 10]))), ("next", ""))]
        for action, arg in [*steps, ("done", "")]:
            self.exit.post(lambda a=action, g=arg: role.activate(a, g))  # type: ignore[attr-defined]
            if self.done.wait(0.05):
                return

    def ask(self, client: BlockingClient, command: str, body: dict) -> dict:
        """As a clerk application would: the same request_id until the controller answers."""
        body = {**body, "request_id": str(uuid.uuid4())}
        while not self.done.is_set():
            try:
                return client.request(command, body, timeout=2.0)
            except TimeoutError:
                log.warning("no answer to %s yet; asking again", command)
        return {"ok": False}

    def run(self) -> None:
        # Customers come in once the kiosk shows the authorities, i.e. the controller runs.
        kiosk = next(r for r in self.runtime.roles if r.name == "kiosk")
        deadline = time.monotonic() + 15
        while getattr(kiosk, "phase", "") != "start" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.started = time.monotonic()
        threads = [threading.Thread(target=self.customer_arrivals, daemon=True),
                   threading.Thread(target=self.advisor, daemon=True)]
        threads += [threading.Thread(target=self.clerk, args=(room,), daemon=True)
                    for room in self.simulated_rooms()]
        for t in threads:
            t.start()
        self.done.wait(self.seconds)
        self.done.set()
        for t in threads:
            t.join(timeout=10)
        time.sleep(0.5)  # let the last state reach the screens
        if self.alarm is not None:
            # The morning's last customer is with the clerk of the alarm room: the clerk
            # holds the alarm key once, and nobody answers.
            try:
                self.alarm_outcome = hold_the_alarm_key(self.alarm, self.speed)
            except Exception as exc:  # the demo's own summary says it; the morning stands
                log.exception("the demo's alarm failed")
                self.alarm_outcome = AlarmOutcome(room="?", problem=str(exc))
        self.runtime.request_stop("the simulated morning is over")


def summary(ledger_path: Path, config: SiteConfig) -> str:
    ledger = Ledger(ledger_path)
    try:
        events = list(ledger.events_from(0, limit=1_000_000))
    finally:
        ledger.close()
    issued = {e.data["number"]: e for e in events if e.type is EventType.TICKET_ISSUED}
    first_call: dict[str, datetime] = {}
    for e in events:
        if e.type is EventType.TICKET_CALLED:
            first_call.setdefault(e.data["number"], e.at)
    per_service = Counter(e.data["service"] for e in issued.values())
    waits: dict[str, list[float]] = {}
    for number, e in issued.items():
        if number in first_call:
            minutes = (first_call[number] - e.at).total_seconds() / 60
            waits.setdefault(e.data["service"], []).append(minutes)
    lines = [f"{'authority':<34} {'tickets':>7} {'called':>6} {'avg wait':>9}"]
    for service in config.services:
        count = per_service.get(service.id, 0)
        if not count:
            continue
        w = waits.get(service.id, [])
        avg = f"{statistics.mean(w):.0f} min" if w else "-"
        lines.append(f"{service.name.fi:<34} {count:>7} {len(w):>6} {avg:>9}")
    all_waits = [m for w in waits.values() for m in w]
    total_avg = f"{statistics.mean(all_waits):.0f} min" if all_waits else "-"
    lines.append(f"{'total':<34} {len(issued):>7} {len(all_waits):>6} {total_avg:>9}")
    lines += _real_day_lines(events, config)
    ratings = [e.data["rating"] for e in events if e.type is EventType.FEEDBACK_GIVEN]
    answers = sum(1 for e in events if e.type is EventType.SURVEY_ANSWERED)
    if ratings or answers:
        mean = f", mean {statistics.mean(ratings):.1f} of 4" if ratings else ""
        lines.append(f"feedback by the exit: {counted(len(ratings), 'rating', 'ratings')}"
                     f"{mean}; {counted(answers, 'survey answer', 'survey answers')}")
    return "\n".join(lines)


def alarm_ledger_lines(ledger_path: Path) -> list[str]:
    """What the controller recorded of the alarm (room and times; nothing else)."""
    ledger = Ledger(ledger_path)
    try:
        kinds = Counter(e.type.value for e in ledger.events_from(0, limit=1_000_000)
                        if e.type.value.startswith("alarm."))
    finally:
        ledger.close()
    if not kinds:
        return ["silent alarm: nothing recorded in the controller's ledger"]
    return ["silent alarm in the controller's ledger: "
            + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))]


def day_report_so_far(ledger_path: Path, config: SiteConfig) -> dict[str, Any] | None:
    """The day report of the demo's morning, as the console's /report shows it so far."""
    ledger = Ledger(ledger_path)
    try:
        events = list(ledger.events_from(0, limit=1_000_000))
    finally:
        ledger.close()
    if not events:
        return None
    last = events[-1]
    return day_report.build(events, config, last.day, last.at)


def _real_day_lines(events: list[Any], config: SiteConfig) -> list[str]:
    """What made the morning a real one: languages of service, visits that went on to a
    second authority, the advisor's customer who needed assistance, a break, recalls."""
    if not events:
        return []
    report = day_report.build(events, config, events[-1].day, events[-1].at)
    langs = ", ".join(f"{row['lang']} {row['customers']}" for row in report["languages"])
    paused = sum(row["paused_min"] for row in report["rooms"])
    recalls = sum(1 for e in events if e.type is EventType.TICKET_RECALLED)
    return [
        f"languages of service: {langs}",
        f"visits to several authorities: {report['visits']['several_authorities']}; "
        f"needing assistance: {report['assistance']['tickets']}; "
        f"recalls: {recalls}; rooms paused: {paused:.0f} min",
    ]


def _exit_device(config: SiteConfig, clock: ShiftedClock, output: Path,
                 broker: LocalBroker) -> Runtime | None:
    """The feedback device by the exit, in this process. Its touches come from the simulation
    through its inbox: SDL's event queue is the lobby kiosk's, so this one must not read it."""
    device = next((d for d in config.devices if "feedback" in d.roles), None)
    return _side_device(config, device, clock, output, broker)


def _start_side_devices(simulation: Simulation, clock: ShiftedClock, output: Path,
                        broker: LocalBroker, logins: dict[str, tuple[str, str]]
                        ) -> list[Runtime]:
    """The feedback device by the exit, and the alarm's room unit and relay device, each on
    a thread of this process; the alarm's parts handed to the simulation when all are there
    (the guard's login too). The runtimes started, to stop at the end."""
    config, lobby = simulation.config, simulation.runtime
    one_pin_factory()
    simulation.exit = _exit_device(config, clock, output, broker)
    room_unit = _side_device(config, alarm_room_unit(config), clock, output, broker)
    relay = _side_device(config, relay_device(config), clock, output, broker)
    for runtime in (room_unit, relay):
        own_mock_pins(runtime)
    side = [r for r in (simulation.exit, room_unit, relay) if r is not None]
    for device_runtime in side:
        threading.Thread(target=device_runtime.run, daemon=True).start()
    if room_unit is not None and relay is not None and "guard" in logins:
        simulation.alarm = AlarmParts(lobby=lobby, room_unit=room_unit, relay_device=relay,
                                      broker_host=broker.host, broker_port=broker.port,
                                      console_port=lobby.device.web.port,
                                      guard=("guard", logins["guard"][0]))
    return side


def own_mock_pins(runtime: Runtime | None) -> None:
    """On mock pins, a device of this process gets mock pins of its own, as each Pi has its
    own GPIO: the room unit's alarm key and LED and the relay are wired as the README's
    wiring says, on pins the feedback device here uses too."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    if runtime is None or not isinstance(Device.pin_factory, MockFactory):
        return
    pins = MockFactory()
    for role in runtime.roles:
        if hasattr(role, "pin_factory"):  # the room and alarm roles open theirs at start
            role.pin_factory = pins


def one_pin_factory() -> None:
    """Choose gpiozero's pin factory once, before the devices start: the demo runs several
    in one process, each opening its pins on its own thread, and gpiozero chooses at the
    first pin; two threads at once could each choose one, and a relay opened on a factory
    nobody else reads would switch unseen. With no GPIO at all each device says so itself."""
    try:
        from gpiozero import Device

        Device.ensure_pin_factory()
    except Exception as exc:  # no pin library here: the roles report their pins missing
        log.warning("no GPIO pin factory: %s", exc)


def _side_device(config: SiteConfig, device: Device | None, clock: ShiftedClock, output: Path,
                 broker: LocalBroker) -> Runtime | None:
    """A device of the site in this process, on its own data directory, without a window of
    its own (its frames are still recorded); SDL's events are the lobby kiosk's."""
    if device is None:
        return None
    data_dir = output / device.id  # its own, as on its own Pi: the local health view goes there
    data_dir.mkdir(parents=True, exist_ok=True)
    runtime = build_runtime(config, device.id, clock=clock, data_dir=data_dir,
                            broker_url=broker.url, frames_dir=output / "frames")
    runtime.uses_screen = False
    return runtime


def run_demo(output: Path, config_path: Path | None, customers: int, seconds: float) -> int:
    config_path = config_path or DEMO_CONFIG
    config = only_what_runs(windowed(load_config_or_exit(config_path)))
    # A second demo in the same directory would delete the running one's ledger below.
    try:
        lock = DataDirLock(output, "piste demo").acquire()
    except DataDirBusy as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        return _run_demo(output, config_path, config, customers, seconds)
    finally:
        lock.release()


def _run_demo(output: Path, config_path: Path, config: SiteConfig, customers: int,
              seconds: float) -> int:
    # The devices' own directories too: a room unit keeps an unanswered alarm there to send
    # it again, and the last demo's alarm was never answered.
    for sub in ("tickets", "frames", "broker", *(d.id for d in config.devices)):
        if sub not in ("", "."):
            shutil.rmtree(output / sub, ignore_errors=True)
    for stale in output.glob("ledger.sqlite*"):
        stale.unlink()
    output.mkdir(parents=True, exist_ok=True)

    tz = ZoneInfo(config.site.timezone)
    start = datetime.combine(demo_day(date.today()), MORNING_START, tzinfo=tz)
    speed = MORNING_HOURS * 3600 / seconds
    clock = ShiftedClock(start, speed)
    lobby = next((d for d in config.devices if "controller" in d.roles), None)
    if lobby is None:
        print("the config has no controller device", file=sys.stderr)
        return 2
    others = [d for d in config.devices if d.id != lobby.id and "display" in d.roles][:1]

    with LocalBroker(output / "broker") as broker:
        runtime = build_runtime(
            config, lobby.id, clock=clock, data_dir=output, broker_url=broker.url,
            frames_dir=output / "frames", recheck_s=max(0.5, 60 / speed),
        )
        logins = staff_console(runtime)
        displays = [
            subprocess.Popen([
                sys.executable, "-m", "firmware.cli.main", "run", "--config", str(config_path),
                "--device", d.id, "--broker", broker.url, "--data-dir", str(output / d.id),
                "--clock-start", clock.now().isoformat(), "--clock-speed", str(speed),
                "--frames", str(output / "frames"),
                # In a window of its configured size, as the demo's own devices (windowed):
                # full screen it would take the desktop's size instead (1024x768 headless).
                "--set", f"devices.{d.id}.screen.fullscreen=false",
            ])
            for d in others
        ]
        print(f"Demo: {config.site.name.en}, {start:%A %d.%m.%Y} from {start:%H:%M}, "
              f"{MORNING_HOURS:.0f} hours in {seconds:.0f} s; broker {broker.url}")
        simulation = Simulation(runtime, broker, customers, seconds,
                                staffed_rooms=staffed_by_console(runtime))
        side = _start_side_devices(simulation, clock, output, broker, logins)
        threading.Thread(target=simulation.run, daemon=True).start()
        try:
            runtime.run()
        finally:
            for device_runtime in side:
                device_runtime.request_stop("the simulated morning is over")
            for p in displays:
                p.terminate()
                p.wait(10)
    return _what_the_morning_left(output, config, simulation.alarm_outcome)


def _what_the_morning_left(output: Path, config: SiteConfig,
                           alarm: AlarmOutcome | None = None) -> int:
    """The summary, the silent alarm's, the day report so far, and where the tickets and
    frames are."""
    tickets = sorted((output / "tickets").glob("*.escpos"))
    frames = sorted((output / "frames").glob("*.png"))
    print(summary(output / "ledger.sqlite", config))
    if alarm is not None:
        for line in [*alarm.lines(), *alarm_ledger_lines(output / "ledger.sqlite")]:
            print(line)
    report = day_report_so_far(output / "ledger.sqlite", config)
    if report is not None:
        write_atomic(output / "day-report.csv", day_report.to_csv(report))
        print(f"the day report so far (as the console's /report shows it): "
              f"{output / 'day-report.csv'}")
    print(f"{counted(len(tickets), 'ticket', 'tickets')} (raw ESC/POS) in "
          f"{output / 'tickets'}; {counted(len(frames), 'screen frame', 'screen frames')} in "
          f"{output / 'frames'}")
    return 0 if tickets and frames else 1
