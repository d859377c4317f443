"""Home Assistant MQTT discovery for a facility team (site option, off by default).

With `home_assistant_discovery = true` in `[site]`, the controller publishes retained
discovery configs so Home Assistant shows each room's occupancy and each kiosk's printer
state without configuration. They point at piste's own topics; nothing new is published.
"""

from __future__ import annotations

import json
from typing import Any

from firmware.site_model import SiteConfig
from mqtt_bridge import topics

PREFIX = "homeassistant"


def _device(config: SiteConfig, key: str, name: str, model: str) -> dict[str, Any]:
    return {"identifiers": [f"piste-{config.site.id}-{key}"], "name": name,
            "manufacturer": "piste", "model": model,
            "suggested_area": config.site.name.en}


def _availability(config: SiteConfig, device_id: str) -> list[dict[str, str]]:
    return [{"topic": topics.device_status(config.site.id, device_id),
             "value_template": "{{ value_json.state }}",
             "payload_available": "online", "payload_not_available": "offline"}]


def messages(config: SiteConfig) -> list[tuple[str, bytes]]:
    """(topic, retained payload) for every entity; empty when the option is off."""
    if not config.site.home_assistant_discovery:
        return []
    site = config.site.id
    out: list[tuple[str, dict[str, Any]]] = []
    for room in config.rooms:
        unit = next((d for d in config.devices if "room" in d.roles and d.room == room.id), None)
        state_topic = topics.room_occupancy(site, room.id)
        node = f"piste_{site}_room_{room.id}"
        device = _device(config, f"room-{room.id}", f"{room.name.en} ({config.site.name.en})",
                         "room unit")
        common: dict[str, Any] = {"state_topic": state_topic, "device": device}
        if unit is not None:
            common["availability"] = _availability(config, unit.id)
        out.append((f"{PREFIX}/sensor/{node}/occupancy/config", {
            **common, "name": "Occupancy", "unique_id": f"{node}_occupancy",
            "value_template": "{{ value_json.state }}", "icon": "mdi:door",
            "json_attributes_topic": state_topic}))
        out.append((f"{PREFIX}/binary_sensor/{node}/in_session/config", {
            **common, "name": "In session", "unique_id": f"{node}_in_session",
            "device_class": "occupancy",
            "value_template": "{{ 'ON' if value_json.state == 'in_session' else 'OFF' }}"}))
    for kiosk in (d for d in config.devices if "kiosk" in d.roles):
        node = f"piste_{site}_{kiosk.id}"
        out.append((f"{PREFIX}/sensor/{node}/printer/config", {
            "name": "Ticket printer", "unique_id": f"{node}_printer",
            "state_topic": topics.device_health(site, kiosk.id),
            "value_template": "{{ value_json.printer.state | default('unknown') }}",
            "icon": "mdi:printer-pos", "availability": _availability(config, kiosk.id),
            "device": _device(config, kiosk.id, f"{kiosk.id} ({config.site.name.en})",
                              "ticket dispenser")}))
    return [(topic, json.dumps(payload, ensure_ascii=False).encode()) for topic, payload in out]
