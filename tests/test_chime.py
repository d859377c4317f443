"""The generated chime: a valid short WAV, and a player that degrades without sound."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import io
import subprocess
import sys
import wave
from array import array

from firmware.display.chime import Chime, chime_wav_bytes


def test_chime_is_a_short_16_bit_wav() -> None:
    data = chime_wav_bytes()
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getsampwidth() == 2
        assert wav.getnchannels() == 1
        assert wav.getframerate() == 44100
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 1.0 <= seconds <= 3.0
    samples = array("h", frames)
    if sys.byteorder == "big":
        samples.byteswap()
    peak = max(abs(s) for s in samples)
    assert 0.2 * 32767 < peak < 0.6 * 32767  # audible, but soft: no clipping
    assert samples[0] == 0 and samples[-1] == 0  # no click at either end


def test_chime_plays_and_counts_under_the_dummy_driver() -> None:
    chime = Chime.open()
    assert chime.available, chime.problem
    assert chime.play("call-1") and chime.play("call-1")
    assert chime.plays == 2  # deduplication is the display role's business, not the chime's


def test_without_sound_the_chime_says_why_and_does_not_raise() -> None:
    code = (
        "from firmware.display.chime import Chime\n"
        "c = Chime.open()\n"
        "print(c.available, c.play('x'), c.plays, bool(c.problem))\n"
    )
    env = dict(os.environ, SDL_AUDIODRIVER="no-such-driver", PYGAME_HIDE_SUPPORT_PROMPT="1")
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    assert out.stdout.split() == ["False", "False", "0", "True"]
