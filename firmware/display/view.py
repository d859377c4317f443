"""What the lobby screen shows, as plain data: the view of a `queue/state` snapshot, and the
info slides due on a day. Pure (no pygame): the display's flow builds its view here, and
lobby_screen.py lays it out and paints it.

`lobby_view_from_snapshot` reads the controller's retained snapshot defensively: a display
must never go dark over one bad message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from firmware.core.wait_words import span_of, span_text
from firmware.display.history import LobbyCall, calls_in, each_number_once
from firmware.feedback.texts import announcement, load_survey
from firmware.site_model import DisplayConfig, SiteConfig, SurveyConfig
from mqtt_bridge.messages import ServiceState, Snapshot

LANGS = ("fi", "sv", "en")


@dataclass(frozen=True)
class ServingRow:
    """A call on screen: the number and its room, named in the ticket's language."""

    ticket: str
    room_name: str
    call_id: str
    lang: str = "fi"  # the language of `room_name`: the ticket's (fi when unknown)


@dataclass(frozen=True)
class ServiceRow:
    name: str
    waiting: int
    open: bool
    next_open: datetime | None
    eta: str = ""  # "20–30 min"; empty when the controller cannot tell


@dataclass(frozen=True)
class Slide:
    """An info slide as shown: title and text in the three languages, fi first."""

    title: tuple[str, ...]
    text: tuple[str, ...]


def one_language_each(slides: list[Slide]) -> list[Slide]:
    """Each slide as three, fi, sv and en in turn: three languages at once would take the
    calls' place (or be drawn too small to read); one at a time each is readable."""
    return [Slide((slide.title[i],), (slide.text[i],)) for slide in slides
            for i in range(min(len(slide.title), len(slide.text)))]


@dataclass(frozen=True)
class LobbyView:
    site_name: str
    now: datetime
    # The calls on screen: the newest first, then the `history` before it, each number once
    # (its newest call), whether still being served or not.
    serving: tuple[ServingRow, ...]
    newest_call_id: str | None
    services: tuple[ServiceRow, ...]
    lang: str = "fi"
    # Not None: the data may be out of date (no word from the controller); seconds since it
    # was last known to be current. The screen then says so instead of posing as current.
    stale_age_s: float | None = None
    slide: Slide | None = None
    service_page: int = 0  # which page of authorities, when they do not all fit
    blink_on: bool = True  # the newest call's band; the role blinks it briefly (<= 3 Hz)
    ticket_px: int = 0  # the smallest ticket font that is readable from the back row
    not_serving: bool = False  # this device's controller refused: a second one on the site
    text_px: int = 0  # the smallest font of any text, readable where customers read it
    history: int = DisplayConfig.history  # earlier calls shown under the newest (setting)


# -- snapshot -> view ---------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _eta_text(state: ServiceState) -> str:
    """ "20–30 min": the range the kiosk and the slip give too (firmware.core.wait_words)."""
    span = span_of(list(state.eta_range) if state.eta_range else None, state.eta_minutes)
    return span_text(span) if span is not None else ""


def _row(call: LobbyCall, config: SiteConfig) -> ServingRow:
    room = config.room(call.room)
    assert room is not None
    lang = call.lang if call.lang in LANGS else "fi"
    return ServingRow(call.ticket, room.name.get(lang), call.call_id, lang)


def lobby_view_from_snapshot(snapshot: Snapshot | dict[str, Any], config: SiteConfig,
                             now: datetime, *, calls: tuple[LobbyCall, ...] | None = None,
                             history: int = DisplayConfig.history) -> LobbyView:
    """The view of a `queue/state` snapshot (read by Snapshot.from_wire when it comes as
    the wire's object); anything malformed in it is skipped, never raised.

    `calls`: the calls the display has kept (history.remember), newest first; None: the
    snapshot's own. The newest and the `history` before it are shown."""
    lang = "fi"
    snapshot = Snapshot.or_empty(snapshot)
    serving = tuple(_row(call, config) for call in each_number_once(
        calls if calls is not None else calls_in(snapshot))
        if config.room(call.room) is not None)[:1 + max(0, history)]
    # A number with no room we know cannot guide anyone anywhere: it is left out.
    newest = serving[0].call_id if serving else None

    services = tuple(
        ServiceRow(
            name=service.name.get(lang),
            waiting=state.waiting,
            open=state.open,
            next_open=_parse_time(state.next_open),
            eta=_eta_text(state),
        )
        # The config's order is the site's chosen order; services it does not know are skipped,
        # and so are those the snapshot says nothing about (nothing true could be shown).
        for service in config.services
        if (state := snapshot.service(service.id)) is not None
    )
    return LobbyView(
        site_name=config.site.name.get(lang),
        now=now,
        serving=serving,
        newest_call_id=newest,
        services=services,
        lang=lang,
        history=history,
    )


def slides_on(display: DisplayConfig, day: date, survey: SurveyConfig | None = None
              ) -> list[Slide]:
    """The slides valid on `day`, as the screen shows them (fi, sv, en); in the survey
    month the survey's announcement first, so every waiting customer sees it."""
    slides = [
        Slide((s.title.fi, s.title.sv, s.title.en), (s.text.fi, s.text.sv, s.text.en))
        for s in display.slides
        if s.valid_on(day)
    ]
    if survey is not None and survey.is_open(day):
        slides.insert(0, Slide(*announcement(load_survey(survey))))
    return slides
