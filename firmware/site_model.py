"""The validated site configuration as typed, immutable data.

`firmware.site_config` turns a TOML file into these objects (and reports every error at once);
everything else in the program reads only these. Pure data: no I/O, no hardware.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Literal

LANGS: tuple[str, ...] = ("fi", "sv", "en")
Lang = Literal["fi", "sv", "en"]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

PRINTER_KINDS: tuple[str, ...] = ("file", "usb", "serial", "network", "none")


@dataclass(frozen=True)
class Localized:
    """A text in the three languages of a Suomi-piste."""

    fi: str
    sv: str
    en: str

    def get(self, lang: str) -> str:
        return {"fi": self.fi, "sv": self.sv, "en": self.en}.get(lang, self.fi)

    def as_dict(self) -> dict[str, str]:
        return {"fi": self.fi, "sv": self.sv, "en": self.en}


@dataclass(frozen=True)
class TimeRange:
    """An interval within one day, start inclusive, end exclusive."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class WeeklyHours:
    """Opening intervals per weekday; index 0 is Monday (as `date.weekday()`)."""

    by_weekday: tuple[tuple[TimeRange, ...], ...]

    def on(self, weekday: int) -> tuple[TimeRange, ...]:
        return self.by_weekday[weekday]


@dataclass(frozen=True)
class DateException:
    """Hours that replace the weekly ones on one date; no ranges means closed all day."""

    day: date
    ranges: tuple[TimeRange, ...]
    reason: str = ""


@dataclass(frozen=True)
class Service:
    """One authority's service at the site (Kela, Verohallinto, ...)."""

    id: str
    prefix: str  # one capital letter printed before the number, e.g. "K" in K042
    name: Localized
    hours: WeeklyHours
    exceptions: tuple[DateException, ...] = ()
    mean_service_minutes: float = 10.0  # the estimate's default before there is data
    note: Localized | None = None  # optional line printed on the ticket


@dataclass(frozen=True)
class Room:
    id: str
    name: Localized
    services: tuple[str, ...]  # ids of the services this room serves by default
    # The languages its staff serve in by default (a clerk's console session may change them).
    languages: tuple[str, ...] = LANGS


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "file"  # one of PRINTER_KINDS
    profile: str = "TM-T20II"  # python-escpos capability profile
    path: str = ""  # kind "file": a directory; each ticket becomes <number>-<time>.escpos
    usb_vendor: int = 0
    usb_product: int = 0
    serial_port: str = ""
    baudrate: int = 38400
    host: str = ""
    port: int = 9100
    timeout_s: float = 3.0


@dataclass(frozen=True)
class ScreenConfig:
    width: int = 1920
    height: int = 1080
    fullscreen: bool = True


@dataclass(frozen=True)
class KioskConfig:
    """The ticket dispenser's own parts and limits (`[devices.kiosk]`); all optional."""

    screen_diagonal_in: float = 15.6  # with the resolution it gives mm per pixel (12 mm targets)
    reading_distance_m: float = 0.5  # eye to screen at the kiosk: every text >= 0.7 deg there
    key_up: int | None = None  # GPIO (BCM) numbers of the physical keys; None: no such key
    key_down: int | None = None
    key_select: int | None = None
    key_help: int | None = None
    led_pin: int | None = None  # status LED: lit on a fault, blinking when paper runs low
    scanner_port: str = ""  # serial port of a barcode/QR scanner, e.g. /dev/ttyACM0
    scanner_baudrate: int = 9600
    idle_timeout_s: float = 30.0  # no touch or key this long: a warning that can be extended
    warning_s: float = 15.0  # ... and this long after the warning, back to the start
    tickets_per_minute: int = 6  # cap per kiosk; more get a friendly "wait a moment"
    technician_pin_hash: str = ""  # pbkdf2_sha256$ROUNDS$SALT$HASH; empty: no exit by keyboard
    speech_volume: int = 70  # percent at the start of each customer's visit


SENSOR_KINDS: tuple[str, ...] = ("none", "pir", "gpio", "ld2410")


@dataclass(frozen=True)
class SensorConfig:
    """One side's occupancy sensor (`[devices.room_unit.staff]` / `.customer`)."""

    kind: str = "none"  # one of SENSOR_KINDS
    pin: int | None = None  # kinds pir and gpio: GPIO (BCM) number of the presence line
    active_high: bool = True  # kind gpio: presence is the high level (pulled down) or low
    serial_port: str = ""  # kind ld2410: the UART, e.g. /dev/ttyAMA0 (256000 baud 8N1)
    on_s: float = 2.0  # presence counts once it has lasted this long
    off_s: float = 30.0  # absence counts once it has lasted this long (PIRs see stillness
    # as absence: keep it longer than a quiet moment of a conversation)
    silence_s: float = 5.0  # kind ld2410: no frame this long and the side is unknown
    stuck_s: float = 14400.0  # presence without a break this long: the sensor is stuck


@dataclass(frozen=True)
class RoomUnitConfig:
    """A room unit's sensors, clerk keys and LED (`[devices.room_unit]`); all optional."""

    staff: SensorConfig = field(default_factory=SensorConfig)
    customer: SensorConfig = field(default_factory=SensorConfig)
    key_call_next: int | None = None  # GPIO (BCM) numbers of the clerk keys; None: no key
    key_recall: int | None = None
    key_no_show: int | None = None
    key_complete: int | None = None
    led_pin: int | None = None  # confirms each key press (one blink) or a refusal (three)
    screen_diagonal_in: float = 7.0  # the door screen (7" 800x480 is the Pi's own)
    reading_distance_m: float = 0.5  # read up close at the door: every text >= 0.7 deg there
    # Holding the call-next key this long switches the room between serving and paused
    # (a break); a shorter press calls the next customer, as ever.
    long_press_s: float = 2.0
    # The silent alarm (issue 26): a dedicated key the clerk holds `[alarm] hold_s` to call
    # the guard, and its LED facing the clerk (on: sent; a blip every 2 s: seen). None: none.
    alarm_key: int | None = None
    alarm_led: int | None = None


@dataclass(frozen=True)
class InfoSlide:
    """A notice the lobby display shows between calls, on the days it is valid."""

    title: Localized
    text: Localized
    start: date | None = None  # first day shown (inclusive); None: always
    end: date | None = None  # last day shown (inclusive); None: no end

    def valid_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


ORIENTATIONS: tuple[str, ...] = ("auto", "landscape", "portrait")


@dataclass(frozen=True)
class DisplayConfig:
    """A queue or room display's picture, distance and sound (`[devices.display]`); optional.

    The physical size and the farthest viewing distance decide how big the numbers must be:
    a letter needs at least 1 degree of arc (about 17.5 mm per metre of distance).
    """

    width_mm: float = 1210.0  # the visible picture as mounted; 1210 x 680 is a 55" 16:9
    height_mm: float = 680.0
    viewing_distance_m: float = 5.0  # the back row of the waiting area
    # Where a customer stands to read the list of authorities and the notes: every text is
    # >= 0.7 degrees of arc there (the numbers are >= 1 degree from the back row).
    reading_distance_m: float = 1.5
    orientation: str = "auto"  # one of ORIENTATIONS; auto: from the screen's pixels
    stale_after_s: float = 30.0  # no word from the controller this long: say "updating"
    slide_seconds: float = 12.0  # each info slide stays this long
    slides: tuple[InfoSlide, ...] = ()
    # The lobby: the calls before the newest shown under it, each number once (0..8).
    history: int = 4
    voice: bool = False  # speak each call, the ticket's language first, after the chime
    volume: int = 80  # percent, chime and voice
    quiet_hours: tuple[TimeRange, ...] = ()  # sound at quiet_volume in these ranges
    quiet_volume: int = 0  # 0: silent, the screen still shows every call
    buzzer_pin: int | None = None  # GPIO (BCM): a buzzer for the chime where no speaker is
    door_led_pin: int | None = None  # room units: LED lit at the door when a number is called
    door_buzzer_pin: int | None = None  # room units: a short beep at the door on a call


@dataclass(frozen=True)
class FeedbackConfig:
    """The exit-route feedback device (`[devices.feedback]`); all optional."""

    scale: int = 4  # faces to choose from, worst to best (3-5); with keys, one key a face
    keys: tuple[int, ...] = ()  # GPIO (BCM) of the face keys, worst first; (): touch only
    leds: tuple[int, ...] = ()  # an LED in each key, lit for a moment: "counted, thank you"
    touch: bool = True  # a touch screen; false: keys only, no screen is opened
    words: bool = True  # the touch screen offers optional words after a rating
    screen_diagonal_in: float = 15.6  # with the resolution: 12 mm targets
    reading_distance_m: float = 0.6  # eye to screen in passing: every text >= 0.7 deg there
    idle_timeout_s: float = 20.0  # back to the faces after this long without a touch
    # Keys that move a focus ring through the screen, as on the kiosk (EN 301 549: the whole
    # screen, the survey and the words included, without touching it); None: no such key.
    key_up: int | None = None
    key_down: int | None = None
    key_select: int | None = None
    key_help: int | None = None


@dataclass(frozen=True)
class WebConfig:
    """The staff console in the browser (`[devices.web]`), served over HTTPS; all optional."""

    bind: str = "0.0.0.0"  # the site network; "127.0.0.1" keeps it on the Pi itself
    port: int = 8443
    # The server's certificate and key (PEM). Empty: a self-signed pair is made on first
    # start in the data directory, and its fingerprint is logged for the browsers to check.
    cert_file: str = ""
    key_file: str = ""
    # The staff logins (`piste web-user`); relative to the data directory. Hashed passwords.
    users_file: str = "web-users.toml"
    session_idle_minutes: int = 30  # signed out after this long without a click
    session_max_hours: int = 10  # and after a working day whatever happens


@dataclass(frozen=True)
class SurveyConfig:
    """The yearly customer survey (`[survey]`): its month, and where it is offered."""

    start: date | None = None  # first and last day (both included); none: no survey
    end: date | None = None
    kiosk: bool = False  # kiosks offer the survey too, during the period
    texts: str = ""  # the site's own texts file (TOML, as firmware/feedback/survey_texts.toml)

    def is_open(self, day: date) -> bool:
        return self.start is not None and self.end is not None and self.start <= day <= self.end


@dataclass(frozen=True)
class PhoneConfig:
    """Following one's turn on a phone (`[phone]`): the QR code on the ticket and the
    public pages that show it; off unless a site turns it on."""

    enabled: bool = False  # off: tickets print exactly as before, nothing public is sent
    base_url: str = ""  # what goes before the token in the QR code; ends with /t/
    almost_next: int = 3  # "you are almost next" with this many or fewer ahead
    public_port: int = 0  # the web role's public listener for these pages; 0: none
    public_bind: str = "0.0.0.0"
    requests_per_minute: int = 60  # per client address, on the public pages


@dataclass(frozen=True)
class AlarmConfig:
    """The silent alarm (`[alarm]`): how long the room unit's key is held, when nobody's
    answer escalates it, and whether it leaves the site."""

    hold_s: float = 2.0  # the room unit's alarm key is held this long (a brush sends nothing)
    escalate_after_s: float = 20.0  # unacknowledged this long: the relay, every console told
    to_central: bool = False  # bridge the alarm topics to the central broker (regional desk)
    drill_switches_relay: bool = False  # drills escalate on the consoles; the relay stays off


@dataclass(frozen=True)
class Device:
    id: str
    roles: tuple[str, ...]
    room: str | None = None  # for the room role
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    printer: PrinterConfig = field(default_factory=PrinterConfig)
    chime: bool = True  # the display role plays the chime on each new call
    kiosk: KioskConfig = field(default_factory=KioskConfig)
    room_unit: RoomUnitConfig = field(default_factory=RoomUnitConfig)
    display: DisplayConfig = field(default_factory=DisplayConfig)
    feedback: FeedbackConfig = field(default_factory=FeedbackConfig)
    web: WebConfig = field(default_factory=WebConfig)
    # The tables of roles declared with no field above (firmware/roles.py): (key, value).
    more: tuple[tuple[str, Any], ...] = ()

    def table(self, key: str) -> Any:
        """A role's table by its key under `[[devices]]`, whichever way it is kept."""
        if key in self.__dataclass_fields__ and key != "more":
            return getattr(self, key)
        return dict(self.more)[key]


@dataclass(frozen=True)
class BrokerConfig:
    host: str = "localhost"
    port: int = 1883
    username: str = ""
    password: str = ""  # never printed or logged
    # TLS: a CA file turns it on; a client certificate and key are optional (mutual TLS).
    # Device-specific credentials may instead come from provisioning (/etc/piste).
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    @property
    def tls(self) -> bool:
        return bool(self.ca_file)


@dataclass(frozen=True)
class Site:
    id: str
    name: Localized
    timezone: str  # IANA name, e.g. "Europe/Helsinki"
    opening_hours: WeeklyHours
    anonymous_numbering: bool = False
    # Off by default: announce room occupancy and printer states to Home Assistant's MQTT
    # discovery, for a facility team that runs it.
    home_assistant_discovery: bool = False


# Where a customer continuing to their next authority joins its queue: by their original
# arrival, at the end (the time they continue), or ahead of walk-ins (QSystem's "return").
NEXT_LEG_PLACES: tuple[str, ...] = ("arrival", "end", "priority")
ASSISTANCE_EVERY_MAX = 32  # QueueState keeps this many assistance flags per room


@dataclass(frozen=True)
class QueueRules:
    """The site's waiting rules (the `[queue]` table); the defaults suit a typical site."""

    no_show_grace_minutes: int = 15  # a late no-show can be reinstated this long
    appointment_early_minutes: int = 60  # check-in opens this long before the appointment
    appointment_late_minutes: int = 15  # and closes this long after it
    appointment_priority_minutes: int = 5  # an appointment goes first from its time minus this
    stop_issuing_before_closing: bool = True  # refuse tickets the day cannot serve any more
    estimate_window_minutes: int = 30  # a room counts as serving a service if it called it
    congestion_waiting: int = 15  # alert when this many wait for one authority ...
    congestion_eta_minutes: int = 60  # ... or the estimate passes this
    congestion_clear_ratio: float = 0.7  # and clear when both are below this share of it
    congestion_clear_minutes: int = 5  # ... and have stayed below it this long
    congestion_quiet_minutes: int = 15  # no new alert this long after a clear, unless the
    # count itself reaches congestion_waiting
    occupancy_retention_days: int = 30  # raw room occupancy changes are pruned after
    # Issue 24: the calling order of a real day (firmware/core/calling.py).
    language_preference: bool = True  # rooms prefer tickets in a language they serve
    language_bound_minutes: int = 10  # ... but never pass a ticket over longer than this
    assistance_first: bool = True  # tickets marked "needs assistance" go first ...
    assistance_every: int = 3  # ... at most every Nth call of a room (1: always first)
    next_leg_place: str = "arrival"  # one of NEXT_LEG_PLACES: where a continuing visit joins
    day_end_after_closing_minutes: int = 30  # the day ends this long after the site closes


@dataclass(frozen=True)
class SiteConfig:
    site: Site
    broker: BrokerConfig
    services: tuple[Service, ...]
    rooms: tuple[Room, ...]
    devices: tuple[Device, ...]
    source: str = ""  # the file it was read from, for messages
    rules: QueueRules = field(default_factory=QueueRules)
    # Raised with each central push (`piste config push`): devices report the version they
    # run and refuse one older than it. 0 means never pushed.
    config_version: int = 0
    survey: SurveyConfig = field(default_factory=SurveyConfig)
    phone: PhoneConfig = field(default_factory=PhoneConfig)
    alarm: AlarmConfig = field(default_factory=AlarmConfig)

    def service(self, service_id: str) -> Service | None:
        return next((s for s in self.services if s.id == service_id), None)

    def room(self, room_id: str) -> Room | None:
        return next((r for r in self.rooms if r.id == room_id), None)

    def device(self, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.id == device_id), None)
