"""The feedback role as the rest of the program sees it (see firmware/roles.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from firmware.roles import BuildContext, ConfigTable, RoleDeclaration
from firmware.site_config.feedback import read_feedback
from firmware.site_model import Device, FeedbackConfig, SiteConfig
from mqtt_bridge.clients import FEEDBACK_DEVICE_COMMANDS

FEEDBACK = ConfigTable(key="feedback", read=read_feedback, default=FeedbackConfig, place=6)


def commands(config: SiteConfig, device: Device) -> Iterable[str]:
    return FEEDBACK_DEVICE_COMMANDS


def build(context: BuildContext) -> Any:
    from firmware.feedback.role import FeedbackRole

    return FeedbackRole(frames_dir=context.frames_dir)


DECLARATION = RoleDeclaration(
    name="feedback", offline_words=("palautelaite", "responsenheten", "feedback device"),
    place=50, build=build, tables=(FEEDBACK,), commands=commands,
    client=lambda device: {"feedback": True},  # its votes are capped per minute
    owns_screen=lambda device: device.feedback.touch)  # keys only: no screen is opened
