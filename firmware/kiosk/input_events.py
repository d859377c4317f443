"""What a touch, a key or a scanned code does on the kiosk, the yearly survey's screen included.

`KioskInput` is a mixin of `KioskRole` (role.py): every handler reads and changes the role's
screen state (phase, code, focus, lang, large, voice, buttons, survey) and calls its phase
machine (`_set_phase`, `_back_to_start`, `read_screen`, `_activity`), so it is written as
methods of the role rather than functions handed a dozen of its fields.
"""

from __future__ import annotations

from typing import Any

from display_driver.layout import focusable, hit_test
from firmware.kiosk import lockdown as kiosk_lockdown
from firmware.kiosk.keys import KeyPress, focus_step
from firmware.kiosk.scanner import Scanned
from firmware.kiosk.screen import CODE_MAX, Button
from firmware.kiosk.speech import said
from firmware.kiosk.texts import LANG_NAMES, text
from firmware.screen import touch_position
from firmware.site_model import LANGS

PIN_MAX = kiosk_lockdown.PIN_MAX
# A USB keypad or keyboard can stand in for the four physical keys.
KEYBOARD = {"up": "up", "down": "down", "return": "select", "enter": "select",
            "space": "select", "f1": "help"}


class KioskInput:
    def on_screen_event(self, event: Any) -> None:
        import pygame

        if not self.screen.owns(event):
            return
        if event.type in (pygame.KEYDOWN, pygame.KEYUP):
            self._keyboard(event)
            return
        pos = touch_position(event, self.screen.size)
        if pos is None:
            return
        if self._activity():
            return  # the touch answered "more time?"
        button = hit_test(self.buttons, pos)
        if button is not None:
            self.activate(button)
        elif self.phase in ("ticket", "error", "refused", "limit") and not self.requester.busy:
            self._back_to_start()  # a touch anywhere: the next customer's turn

    def _keyboard(self, event: Any) -> None:
        import pygame

        name = pygame.key.name(event.key).lower()
        if event.type == pygame.KEYDOWN:
            if kiosk_lockdown.is_chord(name, kiosk_lockdown.held_modifiers(event.mod)):
                self._set_phase("pin")
                self.code = ""
                self._pin_answer = None
                self._pin_note()  # a lockout still running says so at once
            return
        if self.phase == "pin" and name.isdigit() and len(name) == 1:
            self.activate(Button(self.screen.surface.get_rect(), "key", None, True, name))
        elif name in KEYBOARD:
            self.on_key(KeyPress(KEYBOARD[name]))
        # every other key does nothing: no shortcut leaves the kiosk

    def on_key(self, press: KeyPress) -> None:
        """A physical key (or its keyboard stand-in): up, down, select, help."""
        if self._activity():
            return
        if press.key == "help":
            if press.held:
                self.voice.enabled = True
                volume = self.voice.step_volume()
                self.voice.say(said(self.lang, "volume", n=volume), self.lang)
            else:
                self.voice.enabled = True  # the help key is how speech starts
                self.read_screen()
            self.dirty = True
            return
        targets = focusable(self.buttons)
        if not targets:
            return
        if press.key not in ("up", "down", "select"):
            return
        self.focus, pressed = focus_step(self.focus, len(targets), press.key)
        if pressed:
            self.activate(targets[self.focus])
            return
        self.dirty = True
        self.voice.say(targets[self.focus].label, self.lang)

    def on_scan(self, scanned: Scanned) -> None:
        """A code from the barcode reader: check in at once, from the start or the keypad."""
        self._activity()
        if self.phase in ("start", "code"):
            self.code = scanned.code
            self._check_in()

    def activate(self, button: Button) -> None:
        action = button.action
        if self.phase == "survey" or action == "survey":
            self._survey_action(action, button.arg)
        elif action == "issue" and button.service_id:
            self.issue(button.service_id)
        elif action == "lang" and button.arg in LANGS:
            self.lang = button.arg
            self.dirty = True
            self.voice.say(said(self.lang, "selected", label=LANG_NAMES[self.lang]), self.lang)
            self.read_screen(interrupt=False)
        elif action == "page" and button.arg.partition("/")[0].isdigit():
            self._turn_page(int(button.arg.partition("/")[0]))
        elif action == "appointment":
            self.code = ""
            self._set_phase("code")
        elif action == "large":
            self.large = not self.large
            self.dirty = True
            self.voice.say(text(self.lang, "large_on" if self.large else "large_off"),
                           self.lang)
        elif action == "speech":
            if self.voice.enabled:
                self.voice.say(text(self.lang, "speech_off"), self.lang)
                self.voice.enabled = False
            else:
                self.voice.enabled = True
                self.voice.say(text(self.lang, "speech_on"), self.lang)
                self.read_screen(interrupt=False)
            self.dirty = True
        elif action == "key":
            limit = PIN_MAX if self.phase == "pin" else CODE_MAX
            if len(self.code) < limit:
                self.code += button.arg
                self.dirty = True
                # The key is echoed so a blind customer knows what was typed; a PIN is not.
                self.voice.say("•" if self.phase == "pin" else button.arg, self.lang)
        elif action == "erase":
            self.code = self.code[:-1]
            self.dirty = True
        elif action == "ok":
            if self.phase == "pin":
                self._check_pin()
            elif len(self.code) >= 4:
                self._check_in()
        elif action in ("cancel", "done", "back"):
            self._back_to_start()

    def _turn_page(self, page: int) -> None:
        """The start screen's list to `page`; the focus ring (keys) stays on the page turn,
        on the same button where it still leads on (else on the other one), and speech reads
        the new page."""
        from firmware.kiosk.screen import layout_kiosk

        forward = page > self.page
        self.page = page
        self.dirty = True
        if self.focus is not None:
            targets = focusable(layout_kiosk(self.view(), self.screen.size).buttons)
            turns = [i for i, b in enumerate(targets) if b.action == "page"]
            same = [i for i in turns
                    if (int(targets[i].arg.partition("/")[0]) > page) == forward]
            self.focus = (same or turns or [0])[0]
        self.read_screen()

    # -- the yearly survey (the site's [survey] with kiosk = true) ---------------------------

    def _survey_open(self) -> bool:
        return self.survey is not None and self.runtime.config.survey.is_open(
            self.runtime.clock.now().date())

    def _survey_action(self, action: str, arg: str) -> None:
        assert self.survey is not None
        now = self.runtime.clock.now()
        if self.phase != "survey":
            if not self._survey_open():
                return
            self.survey.begin(self.lang, self.large, now)
            self._set_phase("survey")
            return
        step = self.survey.flow.step
        self.survey.act(action, arg, now)
        if not self.survey.active:
            self._back_to_start()
            return
        self.dirty = True
        if self.survey.flow.step != step or self.survey.flow.statement is not None:
            self.focus = None if self.focus is None else 0
            self.read_screen()
