#!/bin/sh
# Remove piste: the service, its unit, udev rules and /opt/piste. The device's config
# (/etc/piste) and its ledger (/var/lib/piste) stay unless --purge is given, so a
# reinstall carries on where it stopped.
#
#   sudo sh scripts/uninstall.sh [--purge] [--root DIR]
set -eu
ROOT=""
PURGE=no
while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=$(cd "$2" && pwd); shift 2 ;;
        --purge) PURGE=yes; shift ;;
        *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
PLAN="$ROOT/var/log/piste-uninstall.plan"
if [ -n "$ROOT" ]; then mkdir -p "$(dirname "$PLAN")"; : > "$PLAN"
elif [ "$(id -u)" != 0 ]; then echo "run it as root: sudo sh $0" >&2; exit 2; fi
run() { if [ -n "$ROOT" ]; then echo "$*" >> "$PLAN"; else "$@" || true; fi; }

run systemctl disable --now piste.service
rm -f "$ROOT/etc/systemd/system/piste.service" "$ROOT/usr/local/bin/piste" \
      "$ROOT/etc/udev/rules.d/60-piste-printer.rules" \
      "$ROOT/etc/udev/rules.d/61-piste-site-printer.rules" \
      "$ROOT/etc/mosquitto/conf.d/piste.conf"
rm -rf "$ROOT/opt/piste"
run systemctl daemon-reload
run udevadm control --reload
if [ "$PURGE" = yes ]; then
    rm -rf "$ROOT/etc/piste" "$ROOT/var/lib/piste"
    run userdel piste
    echo "piste removed, with its config and ledger"
else
    echo "piste removed; kept /etc/piste and /var/lib/piste (the ledger): --purge removes them"
fi
