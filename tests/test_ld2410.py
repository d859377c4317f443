"""The LD2410 frame parser: real frames, garbage, cut frames, any chunking; the serial reader
through pyserial's loop:// and a pty."""

from __future__ import annotations

import os
import pty
import threading

import serial
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware.room.sensors.ld2410 import (
    FOOTER,
    HEADER,
    FrameParser,
    LD2410Reader,
    Report,
    build_frame,
)

reports = st.builds(
    Report,
    target_state=st.integers(0, 3),
    moving_distance_cm=st.integers(0, 600),
    moving_energy=st.integers(0, 100),
    static_distance_cm=st.integers(0, 600),
    static_energy=st.integers(0, 100),
    detection_distance_cm=st.integers(0, 600),
    engineering=st.booleans(),
)


def parse_all(data: bytes, chunks: list[int] | None = None) -> list[Report]:
    parser = FrameParser()
    out: list[Report] = []
    position = 0
    for size in chunks or []:
        out += parser.feed(data[position : position + size])
        position += size
    out += parser.feed(data[position:])
    return out


def test_a_basic_frame_from_the_datasheet_layout() -> None:
    # someone standing still 1.2 m away: state 2, static distance 120 cm, energy 55
    frame = bytes.fromhex("f4f3f2f1 0d00 02aa 02 0000 00 7800 37 7800 5500 f8f7f6f5")
    [report] = parse_all(frame)
    assert report.present and report.target_state == 2
    assert report.static_distance_cm == 120 and report.static_energy == 55
    assert build_frame(report) == frame


def test_empty_room_frame_is_absence() -> None:
    [report] = parse_all(build_frame(Report(0)))
    assert not report.present


@given(st.lists(reports, max_size=20), st.lists(st.integers(1, 40), max_size=30))
def test_every_frame_comes_back_however_the_bytes_are_cut(frames: list[Report],
                                                          chunks: list[int]) -> None:
    data = b"".join(build_frame(r) for r in frames)
    assert parse_all(data, chunks) == frames


@given(st.lists(st.tuples(st.binary(max_size=30), reports), max_size=15), st.binary(max_size=30))
def test_garbage_between_frames_never_costs_a_frame(pairs: list[tuple[bytes, Report]],
                                                    tail: bytes) -> None:
    # Garbage cannot contain a whole header here: then it could hide a real frame's start.
    pairs = [(g.replace(HEADER[:2], b""), r) for g, r in pairs]
    data = b"".join(g + build_frame(r) for g, r in pairs) + tail.replace(HEADER[:2], b"")
    assert parse_all(data) == [r for _, r in pairs]


@given(reports, reports, st.integers(1, 20))
def test_a_cut_frame_is_dropped_and_the_next_one_read(first: Report, second: Report,
                                                      cut: int) -> None:
    broken = build_frame(first)[:-cut]  # the radar reset mid-frame
    parser = FrameParser()
    assert parser.feed(broken + build_frame(second)) == [second]


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash_and_never_invent_a_report(noise: bytes) -> None:
    for report in parse_all(noise.replace(HEADER[:2], b"")):
        raise AssertionError(f"invented {report}")
    parse_all(noise)  # with header-looking bytes too: anything, but no exception


@given(reports)
def test_a_frame_with_a_wrong_length_or_footer_is_rejected(report: Report) -> None:
    frame = bytearray(build_frame(report))
    wrong_length = bytes(frame[:4]) + bytes([frame[4] + 1, 0]) + bytes(frame[6:])
    wrong_footer = bytes(frame[:-1]) + b"\x00"
    parser = FrameParser()
    assert parser.feed(wrong_length + wrong_footer) == []
    assert parser.rejected >= 2
    assert parser.feed(build_frame(report)) == [report]  # and it is in step again


def test_a_header_inside_garbage_does_not_swallow_the_next_frame() -> None:
    fake = HEADER + b"\x20\x00" + b"\x00" * 5  # says 32 bytes, but a real frame follows
    real = build_frame(Report(1, moving_distance_cm=80, moving_energy=60))
    assert parse_all(fake + real + FOOTER) == [Report(1, 80, 60)]


class Collected:
    """What the reader's thread hands over; the test awaits a count as an event."""

    def __init__(self) -> None:
        self.reports: list[Report] = []
        self.errors: list[str] = []
        self._came = threading.Condition()

    def report(self, report: Report) -> None:
        with self._came:
            self.reports.append(report)
            self._came.notify_all()

    def wait_reports(self, enough: int, timeout: float = 5.0) -> None:
        with self._came:
            assert self._came.wait_for(lambda: len(self.reports) >= enough, timeout), (
                f"{len(self.reports)} reports, not {enough}, within {timeout} s")


def test_reader_on_loop_url_hands_over_changes_and_heartbeats() -> None:
    port = serial.serial_for_url("loop://", timeout=0.05)
    seen = Collected()
    reader = LD2410Reader(port, seen.report, seen.errors.append, heartbeat_s=60)
    reader.open()
    try:
        frames = [Report(0)] * 5 + [Report(2, static_distance_cm=100)] * 5 + [Report(0)]
        port.write(b"\x00garbage" + b"".join(build_frame(f) for f in frames))
        seen.wait_reports(3)  # three changes
        assert [r.present for r in seen.reports] == [False, True, False]
    finally:
        reader.close()


def test_reader_on_a_pty_with_garbage_and_a_cut_frame_then_an_unplugged_port() -> None:
    controller_fd, device_fd = pty.openpty()
    name = os.ttyname(device_fd)
    seen = Collected()
    reader = LD2410Reader(name, seen.report, seen.errors.append, heartbeat_s=0.0)
    reader.open()
    try:
        os.write(controller_fd, b"\xf4\xf3noise" + build_frame(Report(3))[:9]
                 + build_frame(Report(1)) + build_frame(Report(0)))
        seen.wait_reports(2)  # the frames after the cut one
        assert [r.target_state for r in seen.reports] == [1, 0]
        assert reader.parser.rejected >= 1
    finally:
        closer = threading.Thread(target=reader.close)
        closer.start()
        os.close(controller_fd)
        os.close(device_fd)
        closer.join(5)
