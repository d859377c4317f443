"""The waiting-area chime: a soft two-tone "ding-dong", made in code (no sample to license).

`Chime` only plays and counts; deciding *when* to chime (once per new call id, never again
for a snapshot received after a reconnect) is the display role's job.
"""

from __future__ import annotations

import io
import logging
import math
import wave
from array import array

import pygame

log = logging.getLogger(__name__)

RATE = 44100
PEAK = 0.45  # of full scale: clearly audible in a quiet lobby, never startling
# (frequency Hz, start s): E5 then C5, a falling major third, the classic calm "ding-dong".
TONES: tuple[tuple[float, float], ...] = ((659.25, 0.0), (523.25, 0.6))
DECAY_S = 0.5  # time constant of each tone's exponential fade
LENGTH_S = 2.4
ATTACK_S = 0.012  # a short fade-in avoids the click of a sine starting at full height
FADE_OUT_S = 0.08


def chime_samples(rate: int = RATE) -> array:
    """Mono signed 16-bit samples of the chime."""
    total = int(LENGTH_S * rate)
    acc = [0.0] * total
    for freq, start in TONES:
        first = int(start * rate)
        for i in range(total - first):
            t = i / rate
            envelope = math.exp(-t / DECAY_S) * min(1.0, t / ATTACK_S)
            # A quieter octave partial that dies faster: bell-like, without being shrill.
            wave_ = math.sin(2 * math.pi * freq * t) + 0.25 * math.exp(-t / 0.15) * math.sin(
                4 * math.pi * freq * t
            )
            acc[first + i] += envelope * wave_
    biggest = max(abs(v) for v in acc) or 1.0
    scale = PEAK * 32767 / biggest
    fade = int(FADE_OUT_S * rate)
    out = array("h", bytes(2 * total))
    for i, v in enumerate(acc):
        tail = min(1.0, (total - i) / fade)  # ends at exactly zero: no click at the end
        out[i] = round(v * scale * tail)
    return out


def chime_wav_bytes(rate: int = RATE) -> bytes:
    """The chime as a complete WAV file (mono, 16-bit PCM)."""
    samples = chime_samples(rate)
    if samples.itemsize != 2:
        raise RuntimeError("array('h') is not 16-bit on this platform")
    if not _little_endian():
        samples.byteswap()  # WAV data is little-endian
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _little_endian() -> bool:
    return array("h", [1]).tobytes()[0] == 1


class Chime:
    """Plays the chime if the device has sound; says why not, rather than raising, if not."""

    def __init__(self, sound: pygame.mixer.Sound | None, problem: str = "") -> None:
        self.sound = sound
        self.available = sound is not None
        self.problem = problem
        self.plays = 0

    @classmethod
    def open(cls) -> Chime:
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=1024)
            sound = pygame.mixer.Sound(file=io.BytesIO(chime_wav_bytes()))
        except (pygame.error, OSError) as exc:
            # A display without a speaker is still a display: it shows calls silently.
            return cls(None, f"no sound output could be opened ({exc})")
        return cls(sound)

    def play(self, call_id: str) -> bool:
        """Play once; True if the sound was started. `call_id` is for the log only."""
        if self.sound is None:
            return False
        try:
            self.sound.play()
        except pygame.error as exc:
            log.warning("chime for call %s could not play: %s", call_id, exc)
            return False
        self.plays += 1
        return True
