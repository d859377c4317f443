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
from firmware.feedback.texts import announcement, load_survey
from firmware.site_model import DisplayConfig, SiteConfig, SurveyConfig
from mqtt_bridge.messages import ServiceState, Serving, Snapshot


@dataclass(frozen=True)
class ServingRow:
    ticket: str
    room_name: str
    call_id: str


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
    serving: tuple[ServingRow, ...]  # newest call first
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


# -- snapshot -> view ---------------------------------------------------------------------


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _order_key(row: Serving, index: int) -> tuple[float, int]:
    called = _parse_time(row.called_at)
    try:
        stamp = called.timestamp() if called is not None else float("-inf")
    except (OverflowError, OSError, ValueError):
        stamp = float("-inf")
    return (-stamp, index)


def _eta_text(state: ServiceState) -> str:
    """ "20–30 min": the range the kiosk and the slip give too (firmware.core.wait_words)."""
    span = span_of(list(state.eta_range) if state.eta_range else None, state.eta_minutes)
    return span_text(span) if span is not None else ""


def lobby_view_from_snapshot(snapshot: Snapshot | dict[str, Any], config: SiteConfig,
                             now: datetime) -> LobbyView:
    """The view of a `queue/state` snapshot (read by Snapshot.from_wire when it comes as
    the wire's object); anything malformed in it is skipped, never raised."""
    lang = "fi"
    snapshot = Snapshot.or_empty(snapshot)
    ordered = [r for _, r in sorted(enumerate(snapshot.serving),
                                    key=lambda p: _order_key(p[1], p[0]))]
    serving: list[ServingRow] = []
    for row in ordered:
        room = config.room(row.room)
        if not row.ticket or room is None:
            continue  # a number with no room we know cannot guide anyone anywhere
        serving.append(ServingRow(row.ticket, room.name.get(lang), row.call_id))

    # The newest call is the snapshot's last call while it is still being served;
    # otherwise the most recently called row.
    newest: str | None = None
    last_id = snapshot.last_call.call_id if snapshot.last_call else None
    if last_id is not None and any(r.call_id == last_id for r in serving):
        newest = last_id
    elif serving and serving[0].call_id:
        newest = serving[0].call_id
    if newest is not None:
        serving.sort(key=lambda r: r.call_id != newest)  # stable: the newest moves to the top

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
        serving=tuple(serving),
        newest_call_id=newest,
        services=services,
        lang=lang,
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
