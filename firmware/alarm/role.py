"""The alarm role: the shell around the relay device's flow (flow.py).

What the device does is decided in `AlarmRelayFlow`, which is pure and tested alone
(tests/test_alarm_relay_flow.py). This shell only translates: the alarm topics of the site,
the link and the escalation timer become the flow's events, and its effects are carried out
here: the relay through gpiozero's DigitalOutputDevice, the retained `escalated`, the timer
on the runtime's loop, `health`.

A relay that cannot be opened (no GPIO on this machine, a pin in use) does not stop the
device: it still escalates, so the consoles are told, with `relay: false`, and its health
says in words that the relay is missing.
"""

from __future__ import annotations

import logging
from typing import Any

from firmware.alarm import flow as af
from firmware.alarm.config import AlarmRelayConfig
from firmware.alarm.flow import AlarmRelayFlow
from firmware.core.alarm import ESCALATE_AFTER_S
from firmware.core.flow_kit import LinkDown, LinkUp
from firmware.runtime import Role, Runtime
from mqtt_bridge import topics
from mqtt_bridge.link import Incoming

log = logging.getLogger(__name__)

# The site's [alarm] table before the AlarmConfig of firmware/site_model.py reads it.
DRILL_SWITCHES_RELAY = False

# For the technician and the staff who read the device's health, in the site's languages.
RELAY_MISSING = {
    "fi": "Hälytysrele puuttuu: GPIO {pin} ei avaudu. Hälytyksen eteneminen näkyy "
          "konsoleissa, mutta rele ei kytkeydy.",
    "sv": "Larmreläet saknas: GPIO {pin} går inte att öppna. Eskalerade larm syns i "
          "konsolerna, men reläet kopplar inte.",
    "en": "Relay missing: GPIO {pin} cannot be opened. Escalations still reach the "
          "consoles, but the relay does not switch.",
}


class AlarmRelayRole(Role):
    name = "alarm"

    def __init__(self, pin_factory: Any = None) -> None:
        self.pin_factory = pin_factory  # None: gpiozero's own choice (lgpio on a Pi 5)
        self.relay: Any = None
        self.relay_problem = ""
        self._timer: Any = None

    # -- start and stop -------------------------------------------------------------------

    def start(self, runtime: Runtime) -> None:
        super().start(runtime)
        self.settings: AlarmRelayConfig = runtime.device.table("alarm")
        self._open_relay()
        site_alarm = getattr(runtime.config, "alarm", None)
        self.flow = AlarmRelayFlow(
            runtime.device.id, relay_present=self.relay is not None,
            escalate_after_s=getattr(site_alarm, "escalate_after_s", ESCALATE_AFTER_S),
            drill_switches_relay=getattr(site_alarm, "drill_switches_relay",
                                         DRILL_SWITCHES_RELAY))
        runtime.link.subscribe(topics.alarm_filter(runtime.site))
        self.feed(af.Started(link_up=runtime.link.connected))

    def _open_relay(self) -> None:
        try:
            from gpiozero import DigitalOutputDevice

            # initial_value False: a device that starts switches nothing until it knows.
            self.relay = DigitalOutputDevice(self.settings.relay_pin,
                                             active_high=self.settings.active_high,
                                             initial_value=False,
                                             pin_factory=self.pin_factory)
        except Exception as exc:  # no GPIO on this machine, or the pin in use
            self.relay_problem = str(exc) or type(exc).__name__
            log.error("alarm relay on GPIO %s cannot be opened: %s", self.settings.relay_pin,
                      self.relay_problem)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.relay is not None:
            # The pin is released (the relay drops out); started again, the device switches
            # it back on from the retained messages of an alarm not yet cleared.
            self.relay.close()

    # -- events in ------------------------------------------------------------------------

    def feed(self, event: af.Event) -> None:
        for effect in self.flow.on(event, self.runtime.clock.now()):
            self._carry_out(effect)

    def on_message(self, message: Incoming) -> None:
        place = topics.parse_alarm(self.runtime.site, message.topic)
        if place is not None:
            self.feed(af.Message(place[1], message.payload))

    def on_link_up(self) -> None:
        self.feed(LinkUp())

    def on_link_down(self) -> None:
        self.feed(LinkDown())

    # -- effects out ----------------------------------------------------------------------

    def _carry_out(self, effect: af.Effect) -> None:
        match effect:
            case af.Relay(on):
                if self.relay is not None:
                    self.relay.on() if on else self.relay.off()
                log.warning("alarm relay %s%s", "on" if on else "off",
                            "" if self.relay is not None else " (missing: nothing switched)")
            case af.PublishEscalated(message):
                self.runtime.publish_json(topics.alarm_escalated(self.runtime.site,
                                                                 message.room),
                                          message.to_wire(), retain=True, qos=1)
            case af.StartTimer(delay_s):
                self._start_timer(delay_s)
            case af.CancelTimer():
                self._cancel_timer()
            case af.HealthChanged():
                self.runtime.publish_health()

    def _start_timer(self, delay_s: float) -> None:
        self._cancel_timer()
        speed = getattr(self.runtime.clock, "speed", 1.0) or 1.0  # counted on the device's clock
        self._timer = self.runtime.call_later(max(0.0, delay_s / speed), self._timer_due)

    def _timer_due(self) -> None:
        self._timer = None
        self.feed(af.TimerDue())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- health -----------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        relay: dict[str, Any] = {"pin": self.settings.relay_pin,
                                 "on": self.relay is not None and self.flow.relay_on}
        if self.relay_problem:
            # "error" with the technician's detail: the console's device list shows it as
            # any part's fault; `words` says it to the staff in the site's languages.
            relay.update(state="error", missing=True,
                         error=f"relay missing: GPIO {self.settings.relay_pin} cannot be "
                               f"opened ({self.relay_problem})",
                         words={lang: text.format(pin=self.settings.relay_pin)
                                for lang, text in RELAY_MISSING.items()})
        else:
            relay["state"] = "ok"
        return {"relay": relay}
