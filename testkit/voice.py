"""A speaker that hears what a device says, at once and in order, for the role tests.

It stands in for the project's own `firmware.speech.Speaker` (not a library: its seam is the
`speaker=` a kiosk or feedback role takes), so a test on the jumping clock reads what was
said without waiting for espeak-ng to render and pygame to play it. The real Speaker, with
espeak-ng and the mixer, is tested in tests/test_speech.py and end to end on the kiosk.
"""

from __future__ import annotations


class HeardSpeaker:
    """The Speaker's interface; `spoken` is every (text, lang) said, as Speaker keeps it."""

    available = True
    problem = ""
    busy = False

    def __init__(self, volume: int = 100) -> None:
        self.volume = volume
        self.spoken: list[tuple[str, str]] = []
        self.interrupted = 0  # how often a new screen cut what was being said

    def say(self, text: str, lang: str, *, interrupt: bool = False) -> None:
        if interrupt:
            self.interrupted += 1
        self.spoken.append((" ".join(text.split()), lang))

    def stop(self) -> None:
        self.interrupted += 1

    def set_volume(self, percent: int) -> None:
        self.volume = max(0, min(100, int(percent)))

    def close(self) -> None:
        pass
