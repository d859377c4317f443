"""The controller role: answers commands from the broker and publishes the queue.

For every command: parse (a bad one is answered `bad_request` and logged), let the
Controller commit it to the ledger (with its events in the outbox, in one transaction),
answer on the response topic. After the inbox is drained the outbox is pumped and then, if
the queue changed, the retained snapshot is published once: a burst of commands costs one
snapshot, the last snapshot always matches the ledger, and the events go out before the
state that announces their seq.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from firmware.controller.alarm_record import AlarmRecorder
from firmware.controller.duplicate_guard import REFUSED, STARTING, DuplicateGuard, RivalChange
from firmware.controller.duplicate_guard import alert_message as rival_message
from firmware.controller.ledger import Ledger
from firmware.controller.occupancy import OccupancyRecorder
from firmware.controller.outbox_pump import OutboxPump
from firmware.controller.phone_publisher import ALIVE_EVERY_S, PhonePublisher
from firmware.controller.use_cases import Controller, refused
from firmware.core.congestion import CongestionMonitor
from firmware.core.device_faults import PrinterWatch
from firmware.core.device_presence import OFFLINE_GRACE_S, DevicePresence, PresenceChange
from firmware.core.errors import ErrorCode, Refusal
from firmware.core.events import EventType
from firmware.roles import declared
from firmware.runtime import Role, Runtime
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming
from mqtt_bridge.messages import Alert, ReplayAnswer, Snapshot, Words
from mqtt_bridge.payloads import BadRequest, Command, encode, parse_command, state_of

log = logging.getLogger(__name__)

RECHECK_S = 20.0  # services open and close with the clock: look again this often
# The phones' messages follow a change this much later, with every change of that moment
# (the page's goal is a call on screen within a second).
PHONES_AFTER_S = 0.2
REPLAY_LIMIT = 10_000  # events per replay request; a collector asks again from the last
# Our own status normally comes back within milliseconds of connecting, and with it the
# decision whether we serve. Should it not (a broker that does not echo it), decide anyway.
DECIDE_WITHIN_S = 5.0


class ControllerRole(Role):
    name = "controller"

    def __init__(self, ledger_path: Path | None = None, recheck_s: float = RECHECK_S,
                 offline_grace_s: float | None = None) -> None:
        self._ledger_path = ledger_path
        self._recheck_s = recheck_s
        self._offline_grace_s = offline_grace_s
        self._last_published: Snapshot | None = None  # its time `at` left out
        self._state_dirty = True
        self._held: list[Incoming] = []  # what arrived before we knew whether we serve
        self.phone: PhonePublisher | None = None  # set at start where phones are on
        self._phones_due = False  # an update of the phones' messages is on its way

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        path = self._ledger_path or runtime.data_dir / "ledger.sqlite"
        self.ledger = Ledger(path)
        # A controller that logs in to its broker runs against the production ACL: it takes
        # commands only from the site's own clients, by the name the broker vouches for.
        self.controller = Controller(runtime.config, self.ledger, runtime.clock,
                                     events_topic=topics.queue_events(runtime.site),
                                     clock_sure=_clock_check(runtime.clock),
                                     strict=bool(runtime.config.broker.username))
        self.outbox = OutboxPump(self.ledger, runtime.link.publish,
                                 lambda: runtime.link.connected)
        self.congestion = CongestionMonitor(runtime.config.rules)
        self.printers = PrinterWatch()
        devices = [(d.id, d.roles) for d in runtime.config.devices]
        words = {d.name: d.offline_words for d in declared().listed if d.offline_words}
        grace_s = OFFLINE_GRACE_S if self._offline_grace_s is None else self._offline_grace_s
        self.presence = DevicePresence.of(devices, runtime.device.id, words, grace_s)
        self.guard = DuplicateGuard(runtime.device.id, runtime.instance)
        self.occupancy = OccupancyRecorder(self)
        self.alarms = AlarmRecorder(runtime.site, self.controller)
        # Tickets followed on phones: their public messages and the site's heartbeat.
        phones = self.controller.phones
        self.phone = None if phones is None else PhonePublisher(
            phones, runtime.config,
            lambda topic, payload: runtime.link.publish(topic, payload, qos=1, retain=True))
        if self.phone is not None:
            runtime.call_later(ALIVE_EVERY_S, self._alive)
        runtime.status_extra["controller"] = STARTING
        log.info("queue rebuilt from %s: seq %s, %d messages waiting in the outbox",
                 path, self.controller.state.seq, self.outbox.backlog)
        # Before the commands: the statuses tell whether another controller already serves.
        runtime.link.subscribe(topics.device_status(runtime.site, "+"))
        runtime.link.subscribe(topics.command_filter(runtime.site))
        runtime.link.subscribe(topics.device_health(runtime.site, "+"))
        runtime.link.subscribe(topics.room_occupancy(runtime.site, "+"))
        # The silent alarm, for the ledger only: the other devices act on it without us.
        runtime.link.subscribe(topics.alarm_filter(runtime.site))
        runtime.call_later(self._recheck_s, self._recheck)

    def stop(self) -> None:
        ledger = getattr(self, "ledger", None)  # None when start() failed before opening it
        if ledger is not None:
            ledger.close()

    # -- the link -------------------------------------------------------------------------

    def on_link_up(self) -> None:
        # A broker that restarted may have lost the retained state: publish it again, and
        # everything the outbox still holds.
        self._last_published = None
        self._state_dirty = True
        if self.phone is not None:
            self.phone.forget_sent()
        if self.guard.decision == STARTING:
            self.runtime.call_later(DECIDE_WITHIN_S, self._decide_late)
        if not self.guard.serving:
            return
        if self.phone is not None:
            self.phone.alive(self.runtime.clock.now())
        from firmware.controller import ha_discovery

        for topic, payload in ha_discovery.messages(self.runtime.config):
            self.runtime.link.publish(topic, payload, retain=True)

    def on_link_down(self) -> None:
        self.outbox.link_lost()

    def on_delivered(self, mid: int) -> None:
        self.outbox.delivered(mid)

    # -- commands -------------------------------------------------------------------------

    def on_message(self, message: Incoming) -> None:
        device = topics.device_of_status(self.runtime.site, message.topic)
        if device is not None:
            self._status(device, message)
            return
        if not self.guard.serving:
            if self.guard.decision == STARTING:
                self._held.append(message)  # answered once we know we serve
            return  # refused: the serving controller answers, not us
        parsed = topics.parse_command_topic(self.runtime.site, message.topic)
        if parsed is None:
            # A room's occupancy or an alarm: into the ledger. An alarm's events change
            # nothing the lobby sees, so the queue's state is not published again for them.
            if not self.occupancy.record(message) and not self.alarms.record(message):
                self._maybe_health(message)
            return
        name, topic_client = parsed
        reply_to = self._reply_topic(message, topic_client)
        if message.response_topic and reply_to is None:
            self._refuse_reply_topic(message, topic_client)
            return
        # The name in the topic is the one the broker vouches for. Only on an open broker
        # (no logins) does the bare v1 topic with a reply topic say who asks.
        sender = topic_client or (None if self.controller.strict
                                  else topics.reply_client(self.runtime.site, reply_to or ""))
        try:
            command = parse_command(name, message.payload, sender)
        except BadRequest as exc:
            log.warning("bad request on %s: %s", message.topic, exc)
            self._answer(reply_to, message, refused(Refusal(ErrorCode.BAD_REQUEST, str(exc))))
            return
        if name == topics.REPLAY:
            self._replay(reply_to, message, command)
            return
        try:
            outcome = self.controller.handle(command)
        except Exception:
            # The ledger did not take it; nothing changed. Say so instead of going silent.
            log.exception("could not handle %s", name)
            self._answer(reply_to, message, refused(Refusal(
                ErrorCode.INTERNAL, "the controller failed; nothing was changed, try again")))
            return
        self._answer(reply_to, message, outcome.response)
        if outcome.changed:
            self._state_dirty = True
            self._help_alerts(outcome.events)

    def _reply_topic(self, message: Incoming, topic_client: str | None) -> str | None:
        """Where the answer may go: only `reply/{client}` of the client that asks."""
        owner = topics.reply_client(self.runtime.site, message.response_topic or "")
        if owner is not None and (topic_client is None or owner == topic_client):
            return message.response_topic
        return None

    def _refuse_reply_topic(self, message: Incoming, topic_client: str | None) -> None:
        """A request that wants its answer elsewhere (a display's status, the queue state,
        another client's replies, a wildcard) is not carried out; only the sender the topic
        names hears of it, on its own reply topic."""
        log.warning("refused a command on %s that wanted its answer on %r", message.topic,
                    (message.response_topic or "")[:120])
        self.ledger.count_refusal(self.controller.state.day, str(ErrorCode.FORBIDDEN))
        if topic_client is not None:
            refusal = Refusal(ErrorCode.FORBIDDEN, "answers go only to the asking client's "
                              "own reply topic")
            self._answer(topics.reply(self.runtime.site, topic_client), message,
                         refused(refusal))

    def _help_alerts(self, events: list[Any]) -> None:
        """A kiosk's help key raises `help_wanted` on the advisor's page; an advisor's
        answer clears it, saying which console login answered (never a person's name)."""
        for event in events:
            if event.type is EventType.HELP_REQUESTED:
                device = event.data["device"]
                self.alert("help_wanted", "warning", "raised", help_words(device),
                           {"device": device})
            elif event.type is EventType.HELP_ANSWERED:
                device, by = event.data["device"], event.data.get("by")
                details = {"device": device, **({"by": by} if by else {})}
                self.alert("help_wanted", "info", "cleared", help_answered_words(device),
                           details)

    def _maybe_health(self, message: Incoming) -> None:
        """A kiosk's printer changed state: into the ledger, and an alert for the staff."""
        device = topics.device_of_health(self.runtime.site, message.topic)
        if device is None:
            return
        client = self.controller.clients.get(device)
        if client is None or not client.printer:
            return  # only a kiosk with a printer speaks of printers (not a display's health)
        change = self.printers.update(device, state_of(message.payload))
        if change is None:
            return
        self.controller.record(EventType.DEVICE_FAULT, {
            "device": device, "part": "printer", "state": change.state})
        details: dict[str, Any] = {"device": device, "printer": change.state,
                                   "detail": change.detail}
        if change.unprinted:
            details["unprinted_ticket"] = change.unprinted  # a number only, still in the queue
        self.alert("printer", change.severity, "cleared" if change.state == "ok" else "raised",
                   change.message(), details)
        log.warning("printer of %s: %s", device, change.state)

    def _answer(self, reply_to: str | None, message: Incoming,
                response: dict[str, Any] | Any) -> None:
        """Answer on the reply topic: an answer already on its way to the ledger (a dict)
        or a message of mqtt_bridge.messages."""
        if not reply_to:
            return
        wire = response if isinstance(response, dict) else response.to_wire()
        self.runtime.link.publish(reply_to, encode(wire), qos=1,
                                  correlation=message.correlation)

    def _replay(self, reply_to: str | None, message: Incoming, command: Command) -> None:
        """Publish the ledger's events again from a seq, for a collector that saw a gap.

        Straight from the ledger (not through the outbox): a replay that is cut off by an
        outage is simply asked for again.
        """
        try:
            self.controller.authorize(command)
        except Refusal as refusal:
            self.ledger.count_refusal(self.controller.state.day, str(refusal.code))
            self._answer(reply_to, message, refused(refusal))
            return
        from_seq = command.body["from_seq"]
        count = 0
        last = from_seq - 1
        for event in self.ledger.events_from(from_seq, limit=REPLAY_LIMIT):
            self.runtime.publish_json(topics.queue_events(self.runtime.site), event.to_wire())
            count, last = count + 1, event.seq
        self._answer(reply_to, message, ReplayAnswer(count, last))

    # -- other controllers and devices dropping off ------------------------------------------

    def _status(self, device: str, message: Incoming) -> None:
        body = state_of(message.payload)
        undecided = self.guard.decision == STARTING
        for change in self.guard.status(device, body):
            self._rival_alert(change)
        if undecided and self.guard.decision != STARTING:
            self._decided()
        state = body.get("state") if isinstance(body, dict) else None
        if isinstance(state, str):
            now = self.runtime.clock.now()
            for presence in self.presence.status(device, state, now):
                self._presence_alert(presence)

    def _decide_late(self) -> None:
        if self.guard.decision == STARTING:
            log.warning("our own status did not come back from the broker within %s s; "
                        "deciding with the statuses seen so far", DECIDE_WITHIN_S)
            self.guard.decide()
            self._decided()

    def _decided(self) -> None:
        runtime = self.runtime
        runtime.status_extra["controller"] = self.guard.decision
        runtime.publish_status()
        held, self._held = self._held, []
        if self.guard.decision == REFUSED:
            log.error("another controller, %s, already serves site %s: this one (%s) refuses "
                      "to serve and answers nothing. Two controllers would hand out the same "
                      "numbers. Stop this one (sudo systemctl stop piste) or give the site one "
                      "controller in its config.", self.guard.serving_rival, runtime.site,
                      runtime.device.id)
        else:
            log.info("no other controller serves site %s: serving", runtime.site)
            for change in self.guard.raised_now():
                self._rival_alert(change)
            self.on_link_up()  # what a connection starts: the state, the discovery configs
            for message in held:
                self.on_message(message)
        runtime.publish_health()

    def _rival_alert(self, change: RivalChange) -> None:
        own = self.runtime.device.id
        if change.state == "raised":
            log.error("a second controller, %s, came online on site %s; this one (%s) goes "
                      "on serving", change.device, self.runtime.site, own)
        self.alert("duplicate_controller", "critical" if change.state == "raised" else "info",
                   change.state, rival_message(change.state, change.device, own),
                   {"device": change.device, "serving": own})

    def _presence_alert(self, change: PresenceChange) -> None:
        if not self.guard.serving:
            return
        log.warning("device %s %s", change.device, "is off the network" if
                    change.state == "raised" else "is back on the network")
        self.alert("device_offline", "warning" if change.state == "raised" else "info",
                   change.state, change.message(),
                   {"device": change.device, "roles": list(change.roles),
                    "offline_since": change.offline_since.isoformat(timespec="seconds")})
        self.runtime.publish_health()

    def alert(self, kind: str, severity: str, state: str, words: dict[str, str],
              details: dict[str, Any]) -> None:
        """Raise or clear an alert, now, with the kind's own fields in `details`."""
        now = self.runtime.clock.now().isoformat(timespec="seconds")
        self.send_alert(Alert(id=self.controller.new_id(), at=now, kind=kind,
                              severity=severity, state=state, message=Words(**words),
                              details=details))

    def send_alert(self, alert: Alert) -> None:
        """Through the outbox, as every alert: a broker restart must not lose it."""
        self.ledger.outbox_add(topics.alert(self.runtime.site, alert.kind),
                               encode(alert.to_wire()))

    # -- publishing, once per turn of the loop ----------------------------------------------

    def render(self) -> None:
        """Not drawing: the loop calls this after applying every message that had arrived."""
        if not self.runtime.link.connected or not self.guard.serving:
            return
        # The events first, then the state that announces their seq: a collector that saw
        # the state first would take the events still on their way for missing ones.
        self.outbox.pump()
        if self._state_dirty:
            self._state_dirty = False
            self._publish_state()
            self.outbox.pump()  # what the state added (a congestion alert) goes at once

    def _publish_state(self) -> None:
        snapshot = self.controller.snapshot_message()
        self.controller.take_pending_events()  # already in the outbox with the ledger
        comparable = replace(snapshot, at=None)
        if comparable != self._last_published:
            self._last_published = comparable
            self.runtime.publish_json(topics.queue_state(self.runtime.site), snapshot.to_wire(),
                                      retain=True)
        if self.phone is not None and not self._phones_due:
            # A moment later, for all the changes of that moment at once: each change can
            # move every waiting ticket's place, and the answers to the clerks and kiosks
            # must not wait for a message per ticket.
            self._phones_due = True
            self.runtime.call_later(PHONES_AFTER_S, self._update_phones)
        # Also when the queue did not move: a clear that was held back comes due with the
        # clock (each recheck), and an authority closes by it. One snapshot, one time: the
        # alert's words, its time and the state the lobby sees all agree.
        self._congestion(snapshot)

    def _update_phones(self) -> None:
        """The phones' messages from the state as it is now, by the forecast the lobby's
        snapshot of this state was made from: a phone and the display never disagree."""
        self._phones_due = False
        if self.phone is not None:
            _, plan = self.controller.snapshot_and_forecast()
            self.phone.update(self.controller.state, plan, plan.now)

    def _congestion(self, snapshot: Snapshot) -> None:
        now = datetime.fromisoformat(str(snapshot.at))
        rows = [row.to_wire() for row in snapshot.services]
        for change in self.congestion.update(rows, now):
            alert = Alert.from_wire(change.payload(self.runtime.config,
                                                   self.controller.new_id(), now))
            log.info("congestion %s for %s (%d waiting)", alert.state, change.service,
                     change.waiting)
            self.send_alert(alert)

    def _alive(self) -> None:
        """The site's public heartbeat: the pages tell "the lobby is offline" by its age."""
        if self.phone is not None and self.runtime.link.connected and self.guard.serving:
            self.phone.alive(self.runtime.clock.now())
        self.runtime.call_later(ALIVE_EVERY_S, self._alive)

    def _recheck(self) -> None:
        self._state_dirty = True  # opening hours move with the clock
        self.check_devices()
        self._watch_day_end()
        self.runtime.call_later(self._recheck_s, self._recheck)

    def _watch_day_end(self) -> None:
        """The day ends at closing time plus the site's minutes, not at midnight: close it
        when due, or set a timer for the very moment when it comes before the next look."""
        if not self.guard.serving:
            return  # the serving controller closes the day; a refused one keeps no ledger
        end = self.controller.day_end_due()
        if end is None:
            return
        wait_s = (end - self.runtime.clock.now()).total_seconds()
        if wait_s <= 0:
            self._close_day()
        elif wait_s <= self._recheck_s:
            self.runtime.call_later(wait_s, self._close_day)

    def _close_day(self) -> None:
        if self.guard.serving and self.controller.close_day():
            self._state_dirty = True

    def check_devices(self) -> None:
        """Raise `device_offline` for the devices whose grace ran out by the clock."""
        if not self.guard.serving:
            return  # the serving controller tells the staff; a refused one says nothing
        for change in self.presence.tick(self.runtime.clock.now()):
            self._presence_alert(change)

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {
            "state": "ok" if self.guard.serving else self.guard.decision,
            "seq": self.controller.state.seq,
            "outbox": self.outbox.backlog,
            "refusals_today": self.controller.refusal_counts(),
            "devices_offline": len(self.presence.offline),
            "offline_devices": self.presence.offline}
        if self.guard.decision == REFUSED:
            report["serving"] = self.guard.serving_rival
            report["problem"] = (f"another controller, {self.guard.serving_rival}, already "
                                 "serves this site: this one answers nothing; stop it")
        elif self.guard.rivals:
            report["problem"] = ("a second controller is online: "
                                 f"{', '.join(sorted(self.guard.rivals))}; stop it")
        return {"controller": report}


def help_words(device: str) -> dict[str, str]:
    return {"fi": f"Apua tarvitaan: {device}", "sv": f"Hjälp behövs: {device}",
            "en": f"Help wanted at {device}"}


def help_answered_words(device: str) -> dict[str, str]:
    return {"fi": f"Apuun vastattu: {device}", "sv": f"Hjälpen besvarad: {device}",
            "en": f"Help given at {device}"}


def _clock_check(clock: Any) -> Any:
    """Whether the wall clock is synchronised; a test or demo clock is sure by definition."""
    from firmware.clock import SystemClock

    if not isinstance(clock, SystemClock):
        return lambda: True
    from firmware.admin.clock_sync import clock_synchronised

    return clock_synchronised
