"""Which lobby devices have dropped off the network, for `alert/device_offline`.

Every device's retained `status` says "online" while it is connected; the broker replaces it
with the device's last will, "offline", when the connection is lost. A device that stays
offline past a short grace is worth telling the staff about; one that comes back is cleared.
Pure: fed with statuses and the controller's clock, it returns the changes to announce.

Watched: the roles whose declarations name them for the staff (firmware/roles.py, passed in
as `words`): kiosks, displays, room units, feedback devices and announcers, the ones the
customers and the clerks rely on without looking at a screen of their own. Not the staff
console (`web` alone):
the staff use it, so they notice it themselves, and its alert would go to the very page that
is down. A "stopped" status is a technician's or a shutdown's deliberate stop, not a drop-off:
it raises nothing (the console's device list shows it), though a raised alert stays until the
device is back online.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A Pi that reboots (a config push restarts the service, a power blip) is back within about
# 30 s, and paho reconnects through a Wi-Fi hiccup within seconds: neither should page anyone.
# A kiosk gone for a minute means customers cannot take numbers: worth a word by then.
OFFLINE_GRACE_S = 60.0

# What a device is, for the staff, in fi/sv/en: "aulanäyttö", "väntsalsskärmen", "lobby display".
Words = tuple[str, str, str]
RAISED = ("{what} {device} on ollut poissa verkosta klo {time} alkaen. Tarkista laitteen "
          "virta ja verkkoyhteys.",
          "{what} {device} har varit borta från nätet sedan kl. {time}. Kontrollera enhetens "
          "ström och nätverk.",
          "The {what} {device} has been off the network since {time}. Check its power and "
          "network connection.")
CLEARED = ("{what} {device} on taas verkossa.",
           "{what} {device} är tillbaka på nätet.",
           "The {what} {device} is back on the network.")


@dataclass(frozen=True)
class PresenceChange:
    device: str
    roles: tuple[str, ...]
    state: str  # "raised" or "cleared"
    offline_since: datetime
    what: Words  # the device's first watched role names it

    def message(self) -> dict[str, str]:
        texts = CLEARED if self.state == "cleared" else RAISED
        time = f"{self.offline_since:%H.%M}"
        result = {}
        for lang, text, what in zip(("fi", "sv", "en"), texts, self.what, strict=True):
            said = text.format(what=what, device=self.device,
                               time=time if lang != "en" else f"{self.offline_since:%H:%M}")
            result[lang] = said[:1].upper() + said[1:]
        return result


@dataclass
class DevicePresence:
    """`watched`: device id -> its roles; `words`: what the staff call each watched role.
    Times are the controller's clock."""

    watched: dict[str, tuple[str, ...]]
    words: Mapping[str, Words]
    grace_s: float = OFFLINE_GRACE_S
    offline_since: dict[str, datetime] = field(default_factory=dict)
    raised: set[str] = field(default_factory=set)
    states: dict[str, str] = field(default_factory=dict)  # the last status of each device

    @classmethod
    def of(cls, devices: list[tuple[str, tuple[str, ...]]], own: str,
           words: Mapping[str, Words], grace_s: float = OFFLINE_GRACE_S) -> DevicePresence:
        return cls({d: roles for d, roles in devices
                    if d != own and any(r in words for r in roles)}, words, grace_s)

    def _change(self, device: str, state: str, since: datetime) -> PresenceChange:
        roles = self.watched[device]
        what = self.words[next(r for r in roles if r in self.words)]
        return PresenceChange(device, roles, state, since, what)

    def status(self, device: str, state: str, now: datetime) -> list[PresenceChange]:
        """A device's status as it arrived; a device back online clears at once."""
        if device not in self.watched:
            return []
        self.states[device] = state
        if state == "online":
            since = self.offline_since.pop(device, None)
            if device in self.raised and since is not None:
                self.raised.discard(device)
                return [self._change(device, "cleared", since)]
            return []
        if state == "offline":
            self.offline_since.setdefault(device, now)
        else:  # stopped on purpose: no alert of its own, no grace running
            if device not in self.raised:
                self.offline_since.pop(device, None)
        return []

    def tick(self, now: datetime) -> list[PresenceChange]:
        """The devices whose grace ran out since the last tick."""
        due = [d for d, since in self.offline_since.items()
               if d not in self.raised and now - since >= timedelta(seconds=self.grace_s)]
        self.raised.update(due)
        return [self._change(d, "raised", self.offline_since[d]) for d in sorted(due)]

    @property
    def offline(self) -> list[str]:
        """The devices the staff have been told are off the network."""
        return sorted(self.raised)
