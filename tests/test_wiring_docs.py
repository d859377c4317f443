"""One truth for the wiring: the tables in README.md and docs/deploy.md are the ones written
from firmware/site_config/wiring.py, and every config example in the docs and the demo
config uses the same pins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from firmware.site_config.wiring import DEVICES, HEADER_PIN, reference_pins, rewrite, table

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "docs" / "deploy.md"]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_the_wiring_tables_are_written_from_the_one_place(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for device in DEVICES:
        assert f"<!-- wiring: {device} " in text, f"{doc.name} has no {device} wiring table"
    assert rewrite(text) == text, (f"{doc.name} disagrees with firmware/site_config/wiring.py: "
                                   "python -m firmware.site_config.wiring --write "
                                   "README.md docs/deploy.md")


def test_a_changed_pin_would_be_caught() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    tampered = text.replace("`key_call_next = 5`", "`key_call_next = 17`", 1)
    assert tampered != text and rewrite(tampered) != tampered


def configured_pins(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """("room_unit.key_call_next", 5), ... for every device table in a config (fragment)."""
    found = []
    for device in data.get("devices", []):
        for section in DEVICES:
            for field, value in device.get(section, {}).items():
                if isinstance(value, dict):
                    found += [(f"{section}.{field}.{k}", v) for k, v in value.items()]
                else:
                    found.append((f"{section}.{field}", value))
    return found


def toml_examples() -> list[tuple[str, dict[str, Any]]]:
    examples = []
    for doc in DOCS:
        for block in re.findall(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            if "[devices." not in block:
                continue
            if not block.lstrip().startswith("[[devices]]"):
                block = "[[devices]]\n" + block
            examples.append((doc.name, tomllib.loads(block)))
    examples.append(("demo-site.toml",
                     tomllib.loads((ROOT / "config" / "demo-site.toml").read_text("utf-8"))))
    return examples


def test_every_config_example_uses_the_reference_pins() -> None:
    reference = reference_pins()
    checked = 0
    for where, data in toml_examples():
        for key, value in configured_pins(data):
            if key in reference:
                expected = reference[key]
                got = tuple(value) if isinstance(value, list) else value
                assert got == expected, f"{where}: {key} = {value}, the wiring says {expected}"
                checked += 1
    assert checked >= 15  # the kiosk's, the room unit's and the feedback device's examples


def test_the_reference_wiring_is_possible() -> None:
    for device, wires in DEVICES.items():
        pins = [g for w in wires for g in w.gpio]
        assert len(pins) == len(set(pins)), f"{device} uses a GPIO twice"
        assert set(pins) <= set(HEADER_PIN)
        assert table(device).count("\n") == len(wires) + 1
