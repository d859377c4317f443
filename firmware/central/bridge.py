"""The site broker's bridge to the central broker, and the central broker's access list.

Each site's Mosquitto opens one bridge to the central broker, with the site's own login (the
site id as user name) over TLS. What goes out: the ledger's events (survey answers and
ratings are events too), the queue state, alerts, and every device's status and health.
What comes in: only the collector's replay requests, which change nothing at the site, and,
where a technician allows it, the pushed site config. Commands that change a queue never
come in from the centre. The bridge keeps a persistent session on both sides, so what the
site publishes while the central link is down waits in the site broker (on its disk) and
goes out when the link is back; QoS 1 all the way. The public messages of the tickets
customers follow on their phones (`public/#`: keys, never tokens) go out too, for the
central `piste public` relay, whose `public` login reads them and nothing else. The silent
alarm's topics (`alarm/#`: rooms and times, no names but the answering guard's login) go out
only where the site allows it (`[alarm] to_central = true`), for a regional security desk.

The central ACL is one pattern for every site: a bridge may write only below its own
`piste/v1/{its user name}/`, so a site's credentials can never speak for another site.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mqtt_bridge import topics

COLLECTOR = "collector"
PUBLIC = "public"  # the central relay's login (`piste public`): reads public/# only
RESERVED = (COLLECTOR, "technician", "bridge", PUBLIC)  # central users that are not sites
# More collectors sharing the work each log in on their own (the central broker makes the
# user name the client id, and one client id is one connection): "collector-2" and so on.
# They all speak as the collector on the topics (`cmd/events/replay/collector`).
COLLECTOR_LOGIN = re.compile(rf"{COLLECTOR}(-[a-z0-9-]{{1,22}})?")
# Likewise the relays behind a load balancer: "public", "public-2", ... one login each.
PUBLIC_LOGIN = re.compile(rf"{PUBLIC}(-[a-z0-9-]{{1,25}})?")

BRIDGE_USER = "bridge"  # the bridge's own login on the site broker
QUEUED_MESSAGES = 200_000  # days of a busy site's events while the centre is away
# The bridge's lines in the site ACL, between these two, so that `piste bridge-config` can
# replace an earlier run's and `piste broker-acl` can keep them when it writes the ACL anew.
ACL_BLOCK = ("# --- piste bridge-config: the bridge's login (kept by piste) ---",
             "# --- end of the bridge's login ---")


def is_reserved(site: str) -> bool:
    """A name the central broker keeps for its own logins, never a site id."""
    return site in RESERVED or site.startswith((f"{COLLECTOR}-", f"{PUBLIC}-"))


@dataclass(frozen=True)
class BridgeSettings:
    site: str
    central_host: str
    central_port: int = 8883
    ca_file: str = ""  # the central broker's CA: TLS on when set
    cert_file: str = ""
    key_file: str = ""
    password: str = ""  # the site's password on the central broker
    local_password: str = ""  # the bridge user's password on the site broker
    allow_config_push: bool = False
    alarm_to_central: bool = False  # the site's `[alarm] to_central`


def out_topics(site: str, alarm_to_central: bool = False) -> list[str]:
    root = topics.site_root(site)
    found = [topics.queue_events(site), topics.queue_state(site), f"{root}/alert/#",
             f"{root}/device/+/status", f"{root}/device/+/health",
             topics.reply(site, COLLECTOR), topics.public_filter(site)]
    if alarm_to_central:
        found.append(f"{root}/alarm/#")
    return found


def in_topics(site: str, allow_config_push: bool) -> list[str]:
    found = [topics.command(site, topics.REPLAY, COLLECTOR)]
    if allow_config_push:
        found.append(topics.site_config(site))
    return found


def bridge_conf(s: BridgeSettings) -> str:
    """The lines for /etc/mosquitto/conf.d/piste-bridge.conf on the site broker."""
    if is_reserved(s.site):
        raise ValueError(f"site id '{s.site}' is reserved on the central broker")
    lines = [
        "# piste: this site's bridge to the central broker (written by piste bridge-config).",
        "# Events, state, alerts, device health and the public ticket messages"
        + (" (and the silent alarm)" if s.alarm_to_central else "") + " go out; only",
        "# the collector's replay",
        "# requests" + (" and pushed site configs" if s.allow_config_push else "")
        + " come in.",
        f"max_queued_messages {QUEUED_MESSAGES}",
        "",
        f"connection piste-central-{s.site}",
        f"address {s.central_host}:{s.central_port}",
        "bridge_protocol_version mqttv311",
        f"remote_clientid {s.site}",  # the central binds client ids to user names
        f"remote_username {s.site}",
        *([f"remote_password {s.password}"] if s.password else []),
        f"local_clientid {BRIDGE_USER}",
        f"local_username {BRIDGE_USER}",
        *([f"local_password {s.local_password}"] if s.local_password else []),
        "cleansession false",  # both sides keep the session: nothing is dropped on a break
        "try_private true",
        "notifications false",
        "restart_timeout 2 60",  # back off up to a minute while the centre is away
        "start_type automatic",
    ]
    if s.ca_file:
        lines += [f"bridge_cafile {s.ca_file}", "bridge_tls_version tlsv1.2"]
        if s.cert_file:
            lines += [f"bridge_certfile {s.cert_file}", f"bridge_keyfile {s.key_file}"]
    lines += [f"topic {t} out 1" for t in out_topics(s.site, s.alarm_to_central)]
    lines += [f"topic {t} in 1" for t in in_topics(s.site, s.allow_config_push)]
    return "\n".join(lines) + "\n"


def bridge_site_acl(site: str, allow_config_push: bool, alarm_to_central: bool = False) -> str:
    """The site ACL's lines for the bridge's local login (added to `piste broker-acl`'s)."""
    lines = [f"user {BRIDGE_USER}"]
    lines += [f"topic read {t}" for t in out_topics(site, alarm_to_central)]
    lines += [f"topic write {t}" for t in in_topics(site, allow_config_push)]
    return "\n".join(lines) + "\n"


def bridge_block(acl: str) -> str:
    """The bridge's block in an ACL's text, markers included; "" when it has none."""
    start, end = ACL_BLOCK
    if start not in acl or end not in acl:
        return ""
    _, _, rest = acl.partition(start)
    inside, _, _ = rest.partition(end)
    return f"{start}{inside}{end}\n"


def with_bridge_block(acl: str, block: str) -> str:
    """The ACL with `block` (a bridge_block) in place of any earlier one, never twice."""
    old = bridge_block(acl)
    if old:
        head, _, rest = acl.partition(old.rstrip("\n"))
        acl = head.rstrip("\n") + "\n" + rest.lstrip("\n")
    if not block:
        return acl
    return acl.rstrip("\n") + "\n\n" + block


def bridge_acl_block(site: str, allow_config_push: bool, alarm_to_central: bool = False) -> str:
    start, end = ACL_BLOCK
    return f"{start}\n{bridge_site_acl(site, allow_config_push, alarm_to_central)}{end}\n"


def central_acl(collectors: Sequence[str] = (COLLECTOR,),
                publics: Sequence[str] = (PUBLIC,)) -> str:
    """The central broker's ACL: every site below its own prefix, the collectors (one login
    each, see COLLECTOR_LOGIN) over all, the public relays (PUBLIC_LOGIN) over every site's
    public messages and nothing else."""
    root = topics.PREFIX
    for login in collectors:
        if not COLLECTOR_LOGIN.fullmatch(login):
            raise ValueError(f"'{login}' is not a collector's login: {COLLECTOR} or "
                             f"{COLLECTOR}-NAME (a-z, 0-9 and -)")
    for login in publics:
        if not PUBLIC_LOGIN.fullmatch(login):
            raise ValueError(f"'{login}' is not a public relay's login: {PUBLIC} or "
                             f"{PUBLIC}-NAME (a-z, 0-9 and -)")
    public_lines = [line for login in dict.fromkeys(publics) for line in (
        f"user {login}", f"topic read {topics.PUBLIC_ALL_SITES}", "")]
    collector_lines = [line for login in dict.fromkeys(collectors) for line in (
        f"user {login}",
        f"topic read {root}/+/queue/#",
        f"topic read {root}/+/alert/#",
        f"topic read {root}/+/device/#",
        f"topic read {root}/+/reply/{COLLECTOR}",
        f"topic write {root}/+/cmd/events/replay/{COLLECTOR}",
        "")]
    return "\n".join([
        "# piste central broker ACL (written by piste central-acl).",
        "# A site's bridge logs in with the site id as user name and may write only below",
        "# its own prefix; it reads only the collector's replay requests (and pushed configs).",
        f"pattern write {root}/%u/#",
        f"pattern read {root}/%u/cmd/events/replay/{COLLECTOR}",
        f"pattern read {root}/%u/config/site",
        "",
        *collector_lines,
        "# The public relays (piste public): the tickets followed on phones, nothing else.",
        *public_lines,
        "user technician",
        f"topic write {root}/+/config/site",
        "",
    ])


def central_conf(acl_dir: str, certs: str = "/etc/mosquitto/certs") -> str:
    """A production config for the central broker (TLS, logins, the ACL above), for
    /etc/mosquitto/conf.d/ beside Debian's main config: only what that does not set."""
    return f"""# piste central broker (written by piste central-acl --out).
# Copy it to /etc/mosquitto/conf.d/ beside Debian's /etc/mosquitto/mosquitto.conf, which
# keeps pid_file, logging and persistence (on, in /var/lib/mosquitto/): none of those here,
# Mosquitto refuses an option given twice. {certs}/central.key and {acl_dir}/passwd
# readable by the mosquitto user (chgrp mosquitto FILE; chmod 640 FILE).
per_listener_settings false
allow_anonymous false
password_file {acl_dir}/passwd
acl_file {acl_dir}/acl
check_retain_source true

listener 8883
protocol mqtt
# An option of the listener: above `listener` it would open a second, plain one on 1883.
use_username_as_clientid true
cafile {certs}/central-ca.crt
certfile {certs}/central.crt
keyfile {certs}/central.key
tls_version tlsv1.2

# The collector keeps a persistent session: what arrives while it restarts waits here,
# saved to Debian's persistence_location every minute.
autosave_interval 60
max_queued_messages {QUEUED_MESSAGES}
set_tcp_nodelay true
max_packet_size 65536
"""
