#!/bin/sh
# Install piste on Raspberry Pi OS Lite (Bookworm/Trixie) or Debian 12+, as root:
#
#   sudo sh scripts/install.sh --site SITE.toml --device ID [--username U --password-file F]
#                              [--ca-file F --cert-file F --key-file F]
#
# Debian packages, the `piste` user and its hardware groups, a release under
# /opt/piste/releases with its own virtual environment (/opt/piste/venv points at the
# current one), the systemd unit, udev rules for the USB printer, and - with --site - the
# device's provisioning and start. Running it again is safe; it only changes what differs.
#
#   --root DIR     install into DIR instead of /: files are written there, and the commands
#                  that would change the machine itself (apt-get, useradd, systemctl, pip,
#                  udevadm) are listed in DIR/var/log/piste-install.plan instead of run.
#   --python PATH  the Python that makes the venv (default python3); with --root it also
#                  runs piste's helpers from the source tree.
#   --no-start     install and provision, but do not (re)start the service.
#   --rollback     switch /opt/piste/venv back to the previous release and restart.
set -eu

ROOT=""
PYTHON=python3
SRC=$(cd "$(dirname "$0")/.." && pwd)
SITE=""
DEVICE=""
START=yes
ROLLBACK=no
PROVISION_ARGS=""
GROUPS="gpio video render input dialout lp audio"
BASE_PACKAGES="python3-venv libusb-1.0-0 espeak-ng fonts-dejavu-core alsa-utils"

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
fail() { echo "install.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=$(cd "$2" && pwd); shift 2 ;;
        --python) PYTHON=$2; shift 2 ;;
        --site) SITE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
        --device) DEVICE=$2; shift 2 ;;
        --no-start) START=no; shift ;;
        --rollback) ROLLBACK=yes; shift ;;
        --username|--password-file|--ca-file|--cert-file|--key-file)
            value=$2
            [ "$1" = --username ] || [ "$value" = - ] || value=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
            PROVISION_ARGS="$PROVISION_ARGS $1 $value"; shift 2 ;;
        -h|--help) usage ;;
        *) fail "unknown option $1 (see --help)" ;;
    esac
done
[ -n "$SITE" ] && [ -z "$DEVICE" ] && fail "--site needs --device ID"
[ -z "$SITE" ] && [ -n "$DEVICE" ] && fail "--device needs --site SITE.toml"

PLAN="$ROOT/var/log/piste-install.plan"
if [ -n "$ROOT" ]; then
    mkdir -p "$(dirname "$PLAN")"
    : > "$PLAN"
elif [ "$(id -u)" != 0 ]; then
    fail "run it as root: sudo sh $0 $*"
fi

# Commands that change the machine: run them, or with --root only write them down.
run() {
    if [ -n "$ROOT" ]; then echo "$*" >> "$PLAN"; else "$@"; fi
}
say() { echo "==> $*"; }

# piste's own helpers: from the installed venv, or (with --root) from the source tree.
piste_cmd() {
    if [ -n "$ROOT" ]; then PYTHONPATH="$SRC" "$PYTHON" -m firmware.cli.main "$@"
    else /opt/piste/venv/bin/piste "$@"; fi
}

if [ "$ROLLBACK" = yes ]; then
    previous=$(readlink "$ROOT/opt/piste/previous" 2>/dev/null) || fail "no previous release to go back to"
    current=$(readlink "$ROOT/opt/piste/venv")
    ln -sfn "$previous" "$ROOT/opt/piste/venv.new" && mv -T "$ROOT/opt/piste/venv.new" "$ROOT/opt/piste/venv"
    ln -sfn "$current" "$ROOT/opt/piste/previous"
    say "rolled back to $previous"
    run systemctl restart piste.service
    exit 0
fi

if [ -z "$ROOT" ] && [ -r /etc/os-release ]; then
    . /etc/os-release
    case "${ID:-}:${ID_LIKE:-}" in
        debian:*|raspbian:*|*:*debian*) ;;
        *) fail "this is ${PRETTY_NAME:-an unknown system}; piste needs Debian 12+ or Raspberry Pi OS" ;;
    esac
    [ "${VERSION_ID:-0}" -ge 12 ] 2>/dev/null || fail "Debian ${VERSION_ID:-?} is too old: piste needs 12 (Bookworm) or newer"
fi

say "Debian packages"
run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $BASE_PACKAGES

say "the piste user and its hardware groups"
if [ -n "$ROOT" ] || ! id piste >/dev/null 2>&1; then
    run useradd --system --user-group --home-dir /var/lib/piste --shell /usr/sbin/nologin piste
fi
for group in $GROUPS; do
    # gpio, render and input exist on Raspberry Pi OS; a plain Debian may lack some.
    if [ -n "$ROOT" ] || getent group "$group" >/dev/null; then
        run usermod -a -G "$group" piste
    fi
done

say "directories"
install -d -m 0755 "$ROOT/opt/piste/releases" "$ROOT/etc/systemd/system" "$ROOT/etc/udev/rules.d" "$ROOT/usr/local/bin"
install -d -m 0750 "$ROOT/etc/piste" "$ROOT/var/lib/piste"
run chown root:piste /etc/piste
run chown piste:piste /var/lib/piste

VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$SRC/pyproject.toml")
REV=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo local)
RELEASE="$VERSION-$REV"
DEST="$ROOT/opt/piste/releases/$RELEASE"
say "release $RELEASE"
if [ ! -f "$DEST/.complete" ]; then
    rm -rf "$DEST"
    mkdir -p "$DEST/src"
    tar -C "$SRC" --exclude=./.venv --exclude=./.git --exclude=./demo-output \
        --exclude=./.pytest_cache --exclude=./.ruff_cache --exclude=./.hypothesis \
        --exclude='*.egg-info' --exclude=__pycache__ -cf - . | tar -C "$DEST/src" -xf -
    run "$PYTHON" -m venv "/opt/piste/releases/$RELEASE/venv"
    run "/opt/piste/releases/$RELEASE/venv/bin/pip" install --quiet "/opt/piste/releases/$RELEASE/src"
    if grep -qs "Raspberry Pi" /proc/device-tree/model; then
        # gpiozero's pin driver on a Pi 5 (and the recommended one on earlier models).
        run "/opt/piste/releases/$RELEASE/venv/bin/pip" install --quiet lgpio
    fi
    touch "$DEST/.complete"
fi
target="releases/$RELEASE/venv"
current=$(readlink "$ROOT/opt/piste/venv" 2>/dev/null || true)
if [ "$current" != "$target" ]; then
    [ -n "$current" ] && ln -sfn "$current" "$ROOT/opt/piste/previous"
    ln -sfn "$target" "$ROOT/opt/piste/venv.new"
    mv -T "$ROOT/opt/piste/venv.new" "$ROOT/opt/piste/venv"  # one rename: never half-switched
fi
ln -sfn releases/"$RELEASE"/src "$ROOT/opt/piste/src"
ln -sfn /opt/piste/venv/bin/piste "$ROOT/usr/local/bin/piste"

say "systemd unit and udev rules"
install -m 0644 "$SRC/systemd/piste.service" "$ROOT/etc/systemd/system/piste.service"
install -m 0644 "$SRC/udev/60-piste-printer.rules" "$ROOT/etc/udev/rules.d/60-piste-printer.rules"

if [ -n "$SITE" ]; then
    info=$(piste_cmd install-info --site "$SITE" --device "$DEVICE") || exit 2
    packages=$(printf "%s\n" "$info" | "$PYTHON" -c 'import json,sys; print(" ".join(json.load(sys.stdin)["packages"]))')
    rule=$(printf "%s\n" "$info" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["udev_printer_rule"], end="")')
    hosts=$(printf "%s\n" "$info" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["hosts_broker"])')
    if [ -n "$packages" ]; then
        # shellcheck disable=SC2086
        run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
    fi
    if [ -n "$rule" ]; then
        printf '%s' "$rule" > "$ROOT/etc/udev/rules.d/61-piste-site-printer.rules"
    else
        rm -f "$ROOT/etc/udev/rules.d/61-piste-site-printer.rules"
    fi
    broker=$(printf "%s\n" "$info" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["broker_setup"])')
    if [ "$broker" = local ] && [ -f "$SRC/config/mosquitto/piste-local.conf" ]; then
        install -d -m 0755 "$ROOT/etc/mosquitto/conf.d"
        install -m 0644 "$SRC/config/mosquitto/piste-local.conf" "$ROOT/etc/mosquitto/conf.d/piste.conf"
        run systemctl enable --now mosquitto.service
        run systemctl restart mosquitto.service
    elif [ "$broker" = production ]; then
        # TLS, one login per device, the generated ACL, client ids bound to logins; like
        # piste-local.conf it sets only what Debian's own mosquitto.conf does not (pid file,
        # log and persistence are Debian's): an option set twice stops Mosquitto.
        say "production broker: ACL and config in /etc/mosquitto/piste"
        piste_cmd broker-acl --config "$SITE" --out "$ROOT/etc/mosquitto/piste" > /dev/null
        install -d -m 0755 "$ROOT/etc/mosquitto/conf.d"
        install -m 0644 "$ROOT/etc/mosquitto/piste/piste.conf" "$ROOT/etc/mosquitto/conf.d/piste.conf"
        run systemctl enable mosquitto.service
        if [ -f "$ROOT/etc/mosquitto/piste/passwd" ] && [ -f "$ROOT/etc/mosquitto/certs/broker.key" ]; then
            run systemctl restart mosquitto.service
        else
            say "before mosquitto can start: give every user in /etc/mosquitto/piste/users.txt a password"
            say "  (mosquitto_passwd [-c] /etc/mosquitto/piste/passwd USER) and put site-ca.crt,"
            say "  broker.crt and broker.key in /etc/mosquitto/certs; the key and passwd readable by"
            say "  the mosquitto user (chgrp mosquitto FILE; chmod 640 FILE); then: systemctl restart mosquitto"
        fi
    fi
    say "provisioning $DEVICE"
    # shellcheck disable=SC2086
    piste_cmd provision --site "$SITE" --device "$DEVICE" --etc "$ROOT/etc/piste" $PROVISION_ARGS
    run chown -R root:piste /etc/piste
fi
run udevadm control --reload
run udevadm trigger --subsystem-match=usb
run systemctl daemon-reload
run systemctl enable piste.service
if [ -n "$SITE" ] && [ "$START" = yes ]; then
    run systemctl restart piste.service
    say "started; now check it:  sudo piste selftest"
elif [ -z "$SITE" ]; then
    say "installed; next: sudo piste provision --site SITE.toml --device ID"
fi
