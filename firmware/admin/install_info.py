"""What scripts/install.sh needs to know from the site config: the Debian packages this
device needs beyond the base, and the udev rule for its USB printer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from firmware.admin.provision import LOCAL_HOSTS
from firmware.site_config import ConfigError, load_site_config
from firmware.site_model import Device, SiteConfig


def hosts_broker(config: SiteConfig, device: Device) -> bool:
    """The controller runs the site's broker when the devices reach it as localhost or by
    the controller's own name (`lobby-1` or `lobby-1.local`, as a TLS certificate names it)."""
    host = config.broker.host.lower()
    named = host == device.id or host.startswith(f"{device.id}.")
    return "controller" in device.roles and (host in LOCAL_HOSTS or named)


def broker_setup(config: SiteConfig, device: Device) -> str:
    """Which Mosquitto config the installer puts on this device: none, the open lobby
    listener (development, small closed networks) or production (TLS, logins, the ACL)."""
    if not hosts_broker(config, device):
        return ""
    return "production" if config.broker.tls else "local"


def printer_udev_rule(device: Device) -> str:
    """Give the lp group (the piste user is in it) the configured USB printer, by its ids."""
    printer = device.printer
    if printer.kind != "usb" or not (printer.usb_vendor and printer.usb_product):
        return ""
    return (
        f"# piste: the USB ticket printer of {device.id} (written by scripts/install.sh)\n"
        f'SUBSYSTEM=="usb", ATTRS{{idVendor}}=="{printer.usb_vendor:04x}", '
        f'ATTRS{{idProduct}}=="{printer.usb_product:04x}", MODE="0660", GROUP="lp"\n'
    )


def install_info(config: SiteConfig, device: Device) -> dict[str, object]:
    packages = []
    if hosts_broker(config, device):
        packages.append("mosquitto")
    if device.printer.kind == "usb":
        packages.append("libusb-1.0-0")
    if "web" in device.roles and not device.web.cert_file:
        packages.append("openssl")  # the console makes its self-signed certificate with it
    return {"device": device.id, "roles": list(device.roles), "packages": packages,
            "hosts_broker": hosts_broker(config, device),
            "broker_setup": broker_setup(config, device),
            "udev_printer_rule": printer_udev_rule(device)}


def install_info_main(site: Path, device_id: str) -> int:
    try:
        config = load_site_config(site)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    device = config.device(device_id)
    if device is None:
        print(f"device '{device_id}' is not in {site}; devices: "
              f"{', '.join(d.id for d in config.devices)}", file=sys.stderr)
        return 2
    print(json.dumps(install_info(config, device)))
    return 0
