"""The speaker: real espeak-ng (where installed) into pygame-ce's mixer on the dummy driver.

The queue's rules (newest wins, interrupt, stop) are tested with a quicker voice of the
tests' own (`Speaker(render=...)`: a silent WAV as long as the text), played by the same
mixer: espeak-ng at its speaking pace would only add seconds."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import io
import shutil
import time
import wave

import pytest

from firmware.speech import MAX_PENDING, Speaker, espeak_wav
from tests.helpers import wait_for

needs_espeak = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                  reason="espeak-ng is not installed")
MS_PER_CHARACTER = 10  # the quick voice: a 70-character sentence lasts 0.7 s


def quick_voice(text: str, lang: str) -> bytes:
    """A silent WAV as long as `text` would take at MS_PER_CHARACTER."""
    rate = 22050
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"\0\0" * (rate * MS_PER_CHARACTER * len(text) // 1000))
    return out.getvalue()


@needs_espeak
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_espeak_makes_a_wav_in_each_language(lang: str) -> None:
    with wave.open(io.BytesIO(espeak_wav("K 42, 5", lang))) as wav:
        assert wav.getnframes() / wav.getframerate() > 0.3


def test_without_espeak_the_speaker_says_why_and_stays_silent() -> None:
    speaker = Speaker.open(executable="no-such-espeak")
    assert not speaker.available
    assert "espeak-ng" in speaker.problem and "Debian" in speaker.problem
    speaker.say("Vuoronumero K 42", "fi")  # does nothing, raises nothing
    assert speaker.spoken == [] and not speaker.busy
    speaker.close()


@needs_espeak
def test_say_never_blocks_and_speaks_in_order_without_overlap() -> None:
    speaker = Speaker.open(volume=80)
    assert speaker.available, speaker.problem
    try:
        started = time.monotonic()
        speaker.say("huone 5", "fi")  # short: the real voice plays in real time
        speaker.say("rum 5", "sv")
        assert time.monotonic() - started < 0.05  # the caller's loop is never held up
        wait_for(lambda: len(speaker.spoken) == 2, timeout=20, what="both announcements")
        assert speaker.spoken == [("huone 5", "fi"), ("rum 5", "sv")]
        wait_for(lambda: not speaker.busy, timeout=10, what="silence")
    finally:
        speaker.close()


def test_a_burst_never_piles_up_newest_wins() -> None:
    speaker = Speaker.open(render=quick_voice)
    try:
        for n in range(10):
            speaker.say(f"Vuoronumero K {n}", "fi")
        wait_for(lambda: not speaker.busy, timeout=40, what="silence")
        # The first may already have started; of the rest only the newest few are spoken.
        said = [text for text, _ in speaker.spoken]
        assert len(said) <= MAX_PENDING + 1
        assert said[-1] == "Vuoronumero K 9"
        assert speaker.dropped >= 10 - MAX_PENDING - 1
    finally:
        speaker.close()


def test_interrupt_stops_what_plays_and_drops_the_queue() -> None:
    speaker = Speaker.open(render=quick_voice)
    try:
        speaker.say("Tämä on pitkä lause, joka keskeytetään ennen kuin se loppuu kokonaan.", "fi")
        speaker.say("Tätä ei sanota koskaan.", "fi")
        wait_for(lambda: speaker.spoken, timeout=10, what="the first to start")
        speaker.say("Room 5", "en", interrupt=True)
        wait_for(lambda: not speaker.busy, timeout=10, what="silence")
        assert [t for t, _ in speaker.spoken][-1] == "Room 5"
        assert "Tätä ei sanota koskaan." not in [t for t, _ in speaker.spoken]
        speaker.set_volume(150)
        assert speaker.volume == 100
    finally:
        speaker.close()


def test_stop_silences_and_close_ends_the_worker() -> None:
    speaker = Speaker.open(render=quick_voice)
    speaker.say("Vuoronumero K 1, huone 1", "fi")
    speaker.stop()
    speaker.close()
    assert not speaker.busy
    speaker.say("after close", "en")
    assert ("after close", "en") not in speaker.spoken
