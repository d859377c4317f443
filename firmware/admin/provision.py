"""`piste provision --site SITE.toml --device ID`: give this Pi its identity and its login.

Everything is checked first (the site config, the device, each TLS file and that the key
fits the certificate); only then are files written to /etc/piste, and nothing is written
if anything is wrong. The password is read from a file or asked for, never taken from the
command line (other users see it in `ps`), and never printed or logged.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import grp
import os
import ssl
import sys
from pathlib import Path

from firmware.admin import paths, toml_write
from firmware.admin.files import write_atomic
from firmware.site_config import ConfigError, load_site_config
from firmware.site_model import Device, SiteConfig

SERVICE_GROUP = "piste"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def read_password(source: str | None, username: str) -> str:
    if source == "-":
        return sys.stdin.readline().rstrip("\r\n")
    if source:
        return Path(source).read_text(encoding="utf-8").strip()
    if username and sys.stdin.isatty():
        return getpass.getpass(f"broker password for {username} (not shown): ")
    return ""


def check_tls(ca: str | None, cert: str | None, key: str | None) -> list[str]:
    problems = []
    if (cert or key) and not ca:
        problems.append("--cert-file/--key-file need --ca-file: a client certificate only "
                        "works over TLS")
    if bool(cert) != bool(key):
        problems.append("--cert-file and --key-file go together")
    for flag, path in (("--ca-file", ca), ("--cert-file", cert), ("--key-file", key)):
        if path and not Path(path).is_file():
            problems.append(f"{flag} {path}: no such file")
    if problems:
        return problems
    try:
        if ca:
            context = ssl.create_default_context(cafile=ca)
            if cert and key:
                context.load_cert_chain(cert, key)
    except ssl.SSLError as exc:
        problems.append(f"the TLS files do not fit together or are not PEM: {exc.reason or exc}"
                        " (is the key the one made for this certificate?)")
    except OSError as exc:
        problems.append(f"a TLS file cannot be read: {exc}")
    return problems


def _group_owned(path: Path) -> None:
    """root:piste, so the service user can read what only root may change."""
    if os.geteuid() != 0:
        return
    # No piste group yet (provisioned before install): install.sh sets the owner later.
    with contextlib.suppress(KeyError):
        os.chown(path, 0, grp.getgrnam(SERVICE_GROUP).gr_gid)


def write_files(etc: Path, site_file: Path, device: str, username: str, password: str,
                tls: dict[str, str | None]) -> list[Path]:
    etc.mkdir(parents=True, exist_ok=True)
    written = []
    site = etc / paths.SITE_FILE
    write_atomic(site, site_file.read_bytes(), 0o644)
    written.append(site)
    env = etc / paths.DEVICE_ENV
    write_atomic(env, f"# written by piste provision\nPISTE_DEVICE={device}\n", 0o644)
    written.append(env)
    broker: dict[str, str] = {}
    if username:
        broker["username"] = username
    if password:
        broker["password"] = password
    names = {"ca_file": "ca.crt", "cert_file": "device.crt", "key_file": "device.key"}
    for key, source in tls.items():
        if source:
            target = etc / paths.TLS_DIR / names[key]
            target.parent.mkdir(parents=True, exist_ok=True)
            mode = 0o640 if key == "key_file" else 0o644
            write_atomic(target, Path(source).read_bytes(), mode)
            _group_owned(target)
            broker[key] = str(target)
            written.append(target)
    creds = etc / paths.CREDENTIALS
    text = "# written by piste provision: this device's broker login. Keep it secret.\n"
    write_atomic(creds, text + (toml_write.dumps({"broker": broker}) if broker else ""), 0o640)
    _group_owned(creds)
    written.append(creds)
    return written


def next_steps(config: SiteConfig, device: Device, username: str, tls: bool) -> list[str]:
    steps = []
    host = config.broker.host
    if host in LOCAL_HOSTS and "controller" not in device.roles:
        steps.append(f"the site config says the broker is on this device ({host}) but "
                     f"{device.id} is no controller: point [broker] host at the site's "
                     "broker, then provision again")
    if host in LOCAL_HOSTS:
        steps.append("this device hosts the broker: scripts/install.sh --site ... installs "
                     "and starts mosquitto")
    if device.printer.kind == "usb":
        steps.append(f"plug in the printer {device.printer.usb_vendor:04x}:"
                     f"{device.printer.usb_product:04x}; install.sh --site ... writes its "
                     "udev rule (re-run it if the printer model changed)")
    if not username and not config.broker.username:
        steps.append("no broker login: fine only on a closed lobby network; give each device "
                     "its own with --username")
    if not tls and not config.broker.tls:
        steps.append("no TLS: the broker traffic is not encrypted (use --ca-file)")
    steps.append("start it: sudo systemctl restart piste")
    steps.append(f"check it: sudo piste selftest --device {device.id}")
    return steps


def provision_main(args: argparse.Namespace) -> int:
    try:
        config = load_site_config(args.site)
    except ConfigError as exc:
        print(f"{exc}\nnothing was written", file=sys.stderr)
        return 2
    device = config.device(args.device)
    problems = []
    if device is None:
        known = ", ".join(d.id for d in config.devices)
        problems.append(f"device '{args.device}' is not in {args.site}; devices: {known}")
    problems += check_tls(args.ca_file, args.cert_file, args.key_file)
    password = ""
    try:
        password = read_password(args.password_file, args.username)
    except OSError as exc:
        problems.append(f"--password-file: {exc.strerror or exc}")
    if password and not args.username and not config.broker.username:
        problems.append("a password needs a user name: add --username")
    if problems or device is None:
        print("cannot provision:", *(f"  {p}" for p in problems), "nothing was written",
              sep="\n", file=sys.stderr)
        return 2
    tls = {"ca_file": args.ca_file, "cert_file": args.cert_file, "key_file": args.key_file}
    try:
        written = write_files(args.etc, args.site, device.id, args.username, password, tls)
    except OSError as exc:
        print(f"cannot write to {args.etc}: {exc.strerror or exc} (run it with sudo)",
              file=sys.stderr)
        return 1
    login = args.username or config.broker.username
    print(f"provisioned {device.id} ({', '.join(device.roles)}) of site {config.site.id}")
    print(f"  broker {config.broker.host}:{config.broker.port}, "
          f"{'TLS' if args.ca_file or config.broker.tls else 'no TLS'}, "
          + (f"user {login}, password {'set (not shown)' if password else 'none'}"
             if login else "no login"))
    for path in written:
        print(f"  wrote {path}")
    print("still to do:")
    for number, step in enumerate(next_steps(config, device, args.username,
                                             bool(args.ca_file)), 1):
        print(f"  {number}. {step}")
    return 0
