"""Speaking texts aloud with espeak-ng: call announcements, a kiosk reading its screen.

espeak-ng renders the speech to a WAV on its stdout; pygame-ce's mixer plays it, the same
sound path as the chime (KMSDRM Pis have PipeWire/ALSA there, tests the SDL dummy driver).
A worker thread does both, so `say()` never blocks the loop that calls it.

Rules a waiting room needs:
- never two voices at once: one utterance plays at a time in the whole process (the kiosk
  and the display on one Pi share a lock), and speech waits for a chime still sounding;
- never a pile of old news: at most `MAX_PENDING` utterances wait; when more come, the
  oldest waiting ones are dropped (the newest call matters most, and the screen shows all);
- `interrupt=True` stops what is playing and drops everything waiting.

A device without espeak-ng or without sound gets `available=False` and a `problem` that says
why; `say()` then does nothing, so the caller needs no special case.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from firmware.threads import join_or_leave

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
VOICES = {"fi": "fi", "sv": "sv", "en": "en-gb"}  # the three languages of a Suomi-piste
WORDS_PER_MINUTE = 140  # a little slower than espeak's 175: clearer in a large hall
MAX_PENDING = 3
MAX_TEXT = 400  # characters; an announcement is one sentence, a screen a few
RENDER_TIMEOUT_S = 10.0
WAIT_FOR_QUIET_S = 4.0  # longest wait for another sound (the chime: 2.4 s) to finish
SPEECH_CHANNEL = 0  # reserved: the chime's Sound.play() never takes it

# One voice at a time across every Speaker of the process (kiosk and display on one Pi).
_PLAYBACK = threading.Lock()


@dataclass(frozen=True)
class Utterance:
    text: str
    lang: str


def espeak_wav(text: str, lang: str, executable: str = ESPEAK) -> bytes:
    """The WAV espeak-ng makes of `text` in `lang`; raises OSError/RuntimeError on failure."""
    voice = VOICES.get(lang)
    if voice is None:
        raise ValueError(f"no voice for language '{lang}'; expected one of {', '.join(VOICES)}")
    done = subprocess.run(
        [executable, "-v", voice, "-s", str(WORDS_PER_MINUTE), "--stdout", "--", text],
        capture_output=True,
        timeout=RENDER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
        message = done.stderr.decode(errors="replace").strip()[:200]
        raise RuntimeError(f"espeak-ng failed (exit {done.returncode}): {message}")
    return done.stdout


# What turns a text in a language into a WAV: espeak-ng; a test of the queue may give a
# quicker one of its own (the mixer still plays what it makes).
Render = Callable[[str, str], bytes]


class Speaker:
    """Speaks texts one after another on a worker thread. Build it with `Speaker.open()`."""

    def __init__(self, *, volume: int = 100, problem: str = "", executable: str = ESPEAK,
                 render: Render | None = None) -> None:
        self.problem = problem
        self.available = not problem
        self.executable = executable
        self.render: Render = render or (lambda text, lang: espeak_wav(text, lang, executable))
        self.volume = _clamp(volume)
        self.spoken: list[tuple[str, str]] = []  # what actually started playing, in order
        self.dropped = 0  # utterances dropped because newer ones came (for health/tests)
        self._pending: deque[Utterance] = deque()
        self._wake = threading.Condition()
        self._closed = False
        self._playing = False
        self._active = False  # an utterance is being rendered or played
        self._generation = 0  # bumped by interrupt/stop: a render in flight is then discarded
        self._thread: threading.Thread | None = None
        if self.available:
            self._thread = threading.Thread(target=self._work, name="piste-speech", daemon=True)
            self._thread.start()

    @classmethod
    def open(cls, volume: int = 100, *, executable: str = ESPEAK,
             render: Render | None = None) -> Speaker:
        path = executable if render is not None else shutil.which(executable)
        if path is None:
            return cls(volume=volume, problem=f"{executable} is not installed (Debian package "
                       "espeak-ng); announcements are shown on screen only")
        try:
            import pygame

            if not pygame.mixer.get_init():
                pygame.mixer.init(frequency=44100, size=-16, channels=2, buffer=1024)
            pygame.mixer.set_reserved(SPEECH_CHANNEL + 1)
        except Exception as exc:  # ImportError, pygame.error: either way no sound here
            return cls(volume=volume, problem=f"no sound output could be opened ({exc})")
        return cls(volume=volume, executable=path, render=render)

    # -- for callers (any thread) -------------------------------------------------------

    def say(self, text: str, lang: str, *, interrupt: bool = False) -> None:
        """Queue `text` to be spoken in `lang` ("fi", "sv", "en"); returns at once."""
        if not self.available or self._closed:
            return
        text = " ".join(text.split())[:MAX_TEXT]
        if not text or lang not in VOICES:
            log.warning("nothing spoken: empty text or unknown language %r", lang)
            return
        with self._wake:
            if interrupt:
                self._cut_locked()
            self._pending.append(Utterance(text, lang))
            while len(self._pending) > MAX_PENDING:
                self._pending.popleft()  # newest wins: old announcements are stale
                self.dropped += 1
            self._wake.notify()

    def stop(self) -> None:
        """Silence now: stop what plays and forget what waits."""
        with self._wake:
            self._cut_locked()

    def set_volume(self, percent: int) -> None:
        self.volume = _clamp(percent)
        channel = self._channel()
        if channel is not None and self._playing:
            channel.set_volume(self.volume / 100)

    @property
    def busy(self) -> bool:
        """Speaking or with something waiting to be spoken."""
        with self._wake:
            return self._active or bool(self._pending)

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._cut_locked()
            self._wake.notify_all()
        join_or_leave(self._thread, 5)

    # -- the worker ---------------------------------------------------------------------

    def _cut_locked(self) -> None:
        self._pending.clear()
        self._generation += 1
        if self._playing:
            channel = self._channel()
            if channel is not None:
                channel.stop()

    def _next(self) -> tuple[Utterance, int] | None:
        with self._wake:
            while not self._pending and not self._closed:
                self._wake.wait()  # idle: no polling, no CPU
            if self._closed:
                return None
            self._active = True
            return self._pending.popleft(), self._generation

    def _work(self) -> None:
        while (item := self._next()) is not None:
            utterance, generation = item
            try:
                self._speak(utterance, generation)
            except Exception:  # one bad utterance must not silence the device for good
                log.exception("could not speak %r", utterance.text[:40])
            finally:
                with self._wake:
                    self._active = False

    def _speak(self, utterance: Utterance, generation: int) -> None:
        import pygame

        wav = self.render(utterance.text, utterance.lang)
        sound = pygame.mixer.Sound(file=io.BytesIO(wav))
        with _PLAYBACK:
            _wait_until(lambda: not pygame.mixer.get_busy(), WAIT_FOR_QUIET_S)
            with self._wake:
                if generation != self._generation or self._closed:
                    return  # interrupted while it was being rendered
                channel = self._channel()
                if channel is None:
                    return
                channel.set_volume(self.volume / 100)
                channel.play(sound)
                self._playing = True
                self.spoken.append((utterance.text, utterance.lang))
            try:
                _wait_until(lambda: not channel.get_busy(), sound.get_length() + 2.0)
            finally:
                with self._wake:
                    self._playing = False

    @staticmethod
    def _channel() -> Any:  # pygame.mixer.Channel | None; pygame is imported lazily
        import pygame

        if not pygame.mixer.get_init():
            return None
        return pygame.mixer.Channel(SPEECH_CHANNEL)


def _wait_until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


def _clamp(percent: int) -> int:
    return max(0, min(100, int(percent)))
