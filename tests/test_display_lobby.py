"""The lobby screen: snapshot -> view -> layout -> pixels, headless."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from datetime import datetime, timedelta
from pathlib import Path

import pygame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from display_driver import theme
from display_driver.layout import TextItem
from display_driver.png import offscreen_surface, save_png
from firmware.display.lobby_screen import (
    LobbyView,
    ServiceRow,
    ServingRow,
    layout_lobby,
    lobby_view_from_snapshot,
    render_lobby,
)
from firmware.screenshots.samples import NOW, lobby_busy, lobby_quiet
from testkit.site_factory import MONDAY, at, small_site

LANDSCAPE = (1920, 1080)
PORTRAIT = (1080, 1920)


def by_role(items: list[TextItem], role: str) -> list[TextItem]:
    return [i for i in items if i.role == role]


def inside(items: list[TextItem], size: tuple[int, int]) -> None:
    screen = pygame.Rect((0, 0), size)
    for item in items:
        assert screen.contains(item.rect), f"{item.text!r} at {item.rect} leaves {size}"
        assert item.rect.width > 0 and item.rect.height > 0, item.text


# -- drawing --------------------------------------------------------------------------------


def test_newest_call_is_drawn_on_the_accent_band(tmp_path: Path) -> None:
    view = lobby_busy()
    assert len(view.serving) == 4
    surface = offscreen_surface(*LANDSCAPE)
    render_lobby(surface, view)
    save_png(surface, tmp_path / "lobby.png")
    assert (tmp_path / "lobby.png").stat().st_size > 0

    newest = by_role(layout_lobby(view, LANDSCAPE), "ticket-newest")
    assert [i.text for i in newest] == ["K042"]
    area = newest[0].rect
    # Just outside the glyphs but inside the band: the accent colour.
    for x, y in (
        (area.left - 8, area.centery),
        (area.right + 4, area.top + 2),
        (area.centerx, area.top - 6),
    ):
        assert tuple(surface.get_at((x, y)))[:3] == theme.ACCENT, (x, y)
    # Older calls sit on the plain background.
    older = by_role(layout_lobby(view, LANDSCAPE), "ticket")
    assert [i.text for i in older] == ["V017", "K041", "M008"]
    for item in older:
        assert tuple(surface.get_at((item.rect.left - 8, item.rect.centery)))[:3] == (
            theme.BACKGROUND
        )


def test_layout_puts_what_where_and_how_big() -> None:
    items = layout_lobby(lobby_busy(), LANDSCAPE)
    texts = [i.text for i in items]
    w, h = LANDSCAPE

    site, clock = by_role(items, "site")[0], by_role(items, "time")[0]
    assert site.text == "Suomi-piste Kallio" and site.rect.top < h * 0.12
    assert clock.text == "10.05" and clock.rect.right > w * 0.9 and clock.rect.top < h * 0.12
    assert by_role(items, "date")[0].text == "1.12.2026"
    assert "Kutsutut / Kallade / Called" in texts

    newest = by_role(items, "ticket-newest")[0]
    room = by_role(items, "room-newest")[0]
    assert room.text == "Huone 3" and room.rect.left > newest.rect.right
    others = by_role(items, "ticket")
    assert newest.size >= 150  # the newest number is the biggest text on the screen
    assert all(newest.size > o.size >= 90 for o in others)
    assert newest.size == max(i.size for i in items)
    # The numbers run top to bottom, newest first.
    tops = [newest.rect.top] + [o.rect.top for o in others]
    assert tops == sorted(tops)

    # The side column: one row per authority, to the right of the calls.
    names = by_role(items, "service")  # a long name on two lines, at the size of the others
    assert " ".join(n.text for n in names) == " ".join(s.name for s in lobby_busy().services)
    assert len({n.size for n in names}) == 1
    assert all(n.rect.left > newest.rect.right for n in names)
    waiting = by_role(items, "waiting")
    assert [i.text for i in waiting] == ["7", "3"] and all(i.size >= 80 for i in waiting)
    assert [i.text for i in by_role(items, "opens")] == ["12.00", "2.12. 9.00"]
    assert " ".join(i.text for i in by_role(items, "opens-label")).count("Avautuu") == 2
    inside(items, LANDSCAPE)


def test_portrait_renders_and_everything_stays_on_screen() -> None:
    for view in (lobby_busy(), lobby_quiet()):
        surface = offscreen_surface(*PORTRAIT)
        render_lobby(surface, view)
        items = layout_lobby(view, PORTRAIT)
        inside(items, PORTRAIT)
    items = layout_lobby(lobby_busy(), PORTRAIT)
    assert {"K042", "V017", "K041", "M008", "Kela", "7"} <= {i.text for i in items}


def test_small_and_odd_sizes_do_not_break() -> None:
    for size in ((800, 480), (1280, 1024), (640, 1136), (320, 240)):
        surface = offscreen_surface(*size)
        render_lobby(surface, lobby_busy())
        inside(layout_lobby(lobby_busy(), size), size)


def test_nobody_served_yet_shows_a_calm_hint_in_three_languages() -> None:
    texts = [i.text for i in layout_lobby(lobby_quiet(), LANDSCAPE)]
    assert "Numerosi näkyy täällä, kun on vuorosi." in texts
    assert any("Ditt nummer" in t for t in texts) and any("Your number" in t for t in texts)


def test_a_closed_service_without_next_opening_says_closed() -> None:
    view = LobbyView("S", NOW, (), None, (ServiceRow("Kela", 4, False, None),))
    items = layout_lobby(view, LANDSCAPE)
    assert [i.text for i in by_role(items, "closed")] == ["Suljettu · Stängt · Closed"]
    assert "4" not in [i.text for i in items]  # a closed queue's count is not news


def test_many_calls_never_run_off_the_screen() -> None:
    rows = tuple(ServingRow(f"K{n:03d}", "Huone 1", f"c{n}") for n in range(30, 0, -1))
    view = LobbyView("S", NOW, rows, "c30", lobby_busy().services)
    for size in (LANDSCAPE, PORTRAIT):
        items = layout_lobby(view, size)
        inside(items, size)
        assert by_role(items, "ticket-newest")[0].text == "K030"


# -- snapshot -> view -----------------------------------------------------------------------

TUESDAY_10 = at(MONDAY + timedelta(days=1), 10)


def snapshot() -> dict:
    return {
        "seq": 12,
        "day": "2026-12-01",
        "services": [
            {"id": "kela", "waiting": 5, "eta_minutes": 30, "open": True, "next_open": None},
            {
                "id": "vero",
                "waiting": 0,
                "eta_minutes": 0,
                "open": False,
                "next_open": "2026-12-02T09:00+02:00",
            },
            {"id": "ghost", "waiting": 9, "open": True, "next_open": None},
        ],
        "serving": [
            {
                "ticket": "K002",
                "room": "2",
                "service": "kela",
                "called_at": "2026-12-01T09:58:00+02:00",
                "call_id": "b",
            },
            {
                "ticket": "K001",
                "room": "1",
                "service": "kela",
                "called_at": "2026-12-01T09:50:00+02:00",
                "call_id": "a",
            },
            {"ticket": "X9", "room": "no-such-room", "call_id": "z"},
        ],
        "last_call": {
            "ticket": "K002",
            "room": "2",
            "call_id": "b",
            "at": "2026-12-01T09:58:00+02:00",
        },
    }


def test_view_from_snapshot() -> None:
    view = lobby_view_from_snapshot(snapshot(), small_site(), TUESDAY_10)
    assert view.site_name == "Suomi-piste Testilä"
    assert view.now == TUESDAY_10
    assert view.serving == (ServingRow("K002", "Huone 2", "b"), ServingRow("K001", "Huone 1", "a"))
    assert view.newest_call_id == "b"
    # Config order; the unknown service is skipped; migri is absent from the snapshot.
    assert [(s.name, s.waiting, s.open) for s in view.services] == [
        ("Kela", 5, True),
        ("Verohallinto", 0, False),
    ]
    assert view.services[1].next_open == datetime.fromisoformat("2026-12-02T09:00+02:00")


def test_a_recall_of_an_older_ticket_is_the_newest_call() -> None:
    snap = snapshot()
    snap["serving"][1]["called_at"] = "2026-12-01T10:00:00+02:00"
    snap["serving"][1]["call_id"] = "a2"
    snap["last_call"] = {"ticket": "K001", "room": "1", "call_id": "a2"}
    view = lobby_view_from_snapshot(snap, small_site(), TUESDAY_10)
    assert view.newest_call_id == "a2" and view.serving[0].ticket == "K001"


def test_empty_snapshot_gives_an_empty_calm_view() -> None:
    view = lobby_view_from_snapshot({}, small_site(), TUESDAY_10)
    assert view.serving == () and view.newest_call_id is None and view.services == ()
    render_lobby(offscreen_surface(*LANDSCAPE), view)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
field_values = json_values | st.sampled_from(
    ["1", "2", "kela", "vero", "K001", "a", "2026-12-01T09:00+02:00", "2026-12-01"]
)
row = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "ticket",
            "room",
            "call_id",
            "called_at",
            "waiting",
            "open",
            "next_open",
            "service",
            "at",
        ]
    ),
    field_values,
    max_size=8,
)
snapshots = st.fixed_dictionaries(
    {},
    optional={
        "services": st.lists(row, max_size=5) | json_values,
        "serving": st.lists(row, max_size=5) | json_values,
        "last_call": row | json_values,
        "seq": json_values,
    },
) | st.dictionaries(st.text(max_size=10), json_values, max_size=5)


@settings(max_examples=300, deadline=None)
@given(snapshots)
def test_view_from_snapshot_never_raises(snap: dict) -> None:
    view = lobby_view_from_snapshot(snap, small_site(), TUESDAY_10)
    assert all(isinstance(r.ticket, str) and r.ticket for r in view.serving)
    assert all(s.waiting >= 0 for s in view.services)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots)
def test_any_view_from_a_snapshot_lays_out_on_screen(snap: dict) -> None:
    view = lobby_view_from_snapshot(snap, small_site(), TUESDAY_10)
    inside(layout_lobby(view, LANDSCAPE), LANDSCAPE)


def test_view_from_something_that_is_not_even_a_dict() -> None:
    for junk in (None, [], "state", 42):
        view = lobby_view_from_snapshot(junk, small_site(), TUESDAY_10)  # type: ignore[arg-type]
        assert view.serving == ()


def test_view_from_the_controllers_own_snapshot(tmp_path: Path) -> None:
    """Contract check against the real producer of `queue/state`, not a hand-made dict."""
    from firmware.clock import ManualClock
    from firmware.controller.ledger import Ledger
    from firmware.controller.use_cases import Controller
    from mqtt_bridge import topics
    from mqtt_bridge.payloads import Command

    clock = ManualClock(at(MONDAY, 9, 0))
    controller = Controller(small_site(), Ledger(tmp_path / "ledger.sqlite"), clock)
    issue = {"lang": "fi", "device": "lobby-1", "appointment": None, "service": "kela"}
    for n in range(3):
        controller.handle(Command(topics.ISSUE, f"i{n}", issue))
    clock.advance(minutes=2)
    controller.handle(Command(topics.CALL, "c1", {"room": "1", "services": []}))
    clock.advance(minutes=2)
    second = controller.handle(Command(topics.CALL, "c2", {"room": "2", "services": ["kela"]}))

    view = lobby_view_from_snapshot(controller.snapshot(), small_site(), clock.now())
    assert [(r.ticket, r.room_name) for r in view.serving] == [
        ("K002", "Huone 2"),
        ("K001", "Huone 1"),
    ]
    assert view.newest_call_id == second.response["ticket"]["call_id"]
    kela = view.services[0]
    assert (kela.name, kela.waiting, kela.open) == ("Kela", 1, True)
    items = layout_lobby(view, LANDSCAPE)
    assert by_role(items, "ticket-newest")[0].text == "K002"
