#!/bin/sh
# Installs the Debian packages piste needs on this machine, when they are missing:
# mosquitto and python3-venv always, plus the packages named as arguments (espeak-ng, and
# postgresql for the tests).
# As root it runs apt-get; otherwise it prints the exact command and fails, so that a
# technician knows what to do instead of meeting a strange error later.
set -eu

missing=""
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing="$missing mosquitto"
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing="$missing python3-venv"
for extra in "$@"; do
    case "$extra" in
        # NodeSource's nodejs package carries its own npm (it provides and conflicts with
        # Debian's npm): an npm that runs is enough.
        npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$extra" 2>/dev/null | grep -q "ok installed" || missing="$missing $extra"
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" = "0" ]; then
    echo "Installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
    # The Debian package enables a system-wide broker on port 1883; piste starts its own
    # brokers for tests and the demo, so leave the system one as the package set it up.
    # Likewise postgresql's cluster on port 5432: the tests initdb a private server of their
    # own on a free port and neither use nor stop the system one.
else
    echo "piste needs these Debian packages:$missing" >&2
    echo "Install them with:  sudo apt-get install -y$missing" >&2
    exit 1
fi
