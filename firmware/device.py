"""Assembling one device: its roles, its clock and its broker connection, from config."""

from __future__ import annotations

from pathlib import Path

from firmware.clock import Clock
from firmware.roles import BuildContext, declared
from firmware.runtime import Role, Runtime
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import broker_url


class DeviceError(ValueError):
    """The command line names something the config does not have."""


def parse_broker_url(url: str, *, tls: bool = False,
                     tls_setting: str = "the config's [broker] ca_file",
                     plain_scheme_with_tls: bool = False) -> tuple[str, int]:
    """`mqtt://host:port`, `mqtts://host:port` (or `host:port`, or `host`) -> (host, port).

    `tls` says whether this connection is set up for TLS (`tls_setting` says where that is
    set): the URL's scheme must agree, because the files for TLS are not in a URL. Only
    `plain_scheme_with_tls` lets mqtt:// stand for TLS (piste central's units say so).
    """
    try:
        address = broker_url.parse(url)
    except broker_url.BrokerUrlError as exc:
        raise DeviceError(str(exc)) from None
    if address.tls is True and not tls:
        raise DeviceError(f"broker URL '{url}' asks for TLS, but no CA is set up for it: "
                          f"set {tls_setting}, or use mqtt://")
    if address.tls is False and tls and not plain_scheme_with_tls:
        raise DeviceError(f"broker URL '{url}' is plain MQTT, but {tls_setting} sets up "
                          "TLS: write mqtts://HOST:PORT")
    return address.host, address.port


def known_device(config: SiteConfig, device_id: str) -> Device:
    device = config.device(device_id)
    if device is None:
        known = ", ".join(d.id for d in config.devices)
        raise DeviceError(f"device '{device_id}' is not in {config.source}; devices: {known}")
    return device


def build_roles(
    config: SiteConfig, device_id: str, frames_dir: Path | None = None,
    recheck_s: float | None = None,
) -> list[Role]:
    device = known_device(config, device_id)
    roles = declared()
    context = BuildContext(config, device, frames_dir, recheck_s)
    # Each declaration imports its role's code only in its build: a room unit never loads
    # SDL, a display never loads the printer. The device's roles in their places, then what
    # every device plays (it follows the site's centrally pushed config).
    return [d.build(context) for d in (*roles.of(device), *roles.always)]


def build_runtime(
    config: SiteConfig,
    device_id: str,
    *,
    clock: Clock,
    data_dir: Path,
    broker_url: str | None = None,
    frames_dir: Path | None = None,
    recheck_s: float | None = None,
) -> Runtime:
    roles = build_roles(config, device_id, frames_dir, recheck_s)
    device = config.device(device_id)
    assert device is not None  # build_roles checked it
    if broker_url:
        host, port = parse_broker_url(broker_url, tls=config.broker.tls)
    else:
        host, port = config.broker.host, config.broker.port
    return Runtime(
        config,
        device,
        clock,
        data_dir,
        roles,
        broker_host=host,
        broker_port=port,
        uses_screen=declared().owns_screen(device),
    )
