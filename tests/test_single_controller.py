"""One controller per ledger and per site, on real parts: `piste run` processes and a real
Mosquitto.

A second `piste run` on the same data directory stops at once and names the first; a second
controller device on the same broker refuses to serve and the serving one raises an alert;
a controller that restarts is not fooled by its own old status.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
from pathlib import Path
from typing import Any

from firmware.clock import ShiftedClock
from firmware.controller.ledger import Ledger
from firmware.controller.role import ControllerRole
from firmware.runtime import Runtime
from firmware.site_model import Device, SiteConfig
from mqtt_bridge import topics
from mqtt_bridge.blocking import BlockingClient
from tests.conftest import DEMO_SITE
from tests.helpers import RunningDevice, demo_config, wait_for
from tests.test_controller_restart import CLOCK, SITE, _answers
from tests.test_feedback_device import TUESDAY_10
from tests.test_mqtt_api_doc import check


def piste_run(broker: Any, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "firmware.cli.main", "run", "--config", str(DEMO_SITE),
             "--device", "lobby-1", "--broker", broker.url, "--data-dir", str(data_dir),
             "--clock-start", CLOCK],
            env=env, stdout=subprocess.DEVNULL, stderr=out)


def test_a_second_piste_run_on_the_same_data_dir_stops_at_once_and_names_the_first(
        private_broker: Any, tmp_path: Path) -> None:
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = piste_run(private_broker, tmp_path / "data", first_log)
    try:
        with BlockingClient(private_broker.host, private_broker.port, SITE) as client:
            wait_for(lambda: _answers(client), timeout=20, what="the first controller")
            ticket = client.request(topics.ISSUE, {"request_id": "before", "service": "kela",
                                                   "lang": "fi"})["ticket"]
            second = piste_run(private_broker, tmp_path / "data", second_log)
            assert second.wait(20) == 2
            said = second_log.read_text()
            assert f"already in use by a running piste (pid {first.pid}, piste run --device " \
                   "lobby-1)" in said
            assert "sudo systemctl stop piste" in said and "Traceback" not in said
            # The first did not notice: it answers on the same connection it started with.
            after = client.request(topics.ISSUE, {"request_id": "after", "service": "kela",
                                                  "lang": "fi"})["ticket"]
            assert after["number"] != ticket["number"]
            assert first.poll() is None
        log = first_log.read_text()
        assert log.count("connected to broker") == 1 and "lost the broker" not in log
    finally:
        first.terminate()
        first.wait(10)
    # Once the first has stopped, the directory is free again.
    again = piste_run(private_broker, tmp_path / "data", tmp_path / "again.log")
    try:
        with BlockingClient(private_broker.host, private_broker.port, SITE) as client:
            wait_for(lambda: _answers(client), timeout=20, what="the controller restarted")
    finally:
        again.terminate()
        again.wait(10)


# -- a second controller device on the same broker ------------------------------------------


def with_second_controller(config: SiteConfig) -> SiteConfig:
    """The site as a second Pi sees it whose config (an old one, a copied card) also makes it
    a controller: lobby-2. Built past the loader, which refuses two controllers in one file."""
    return dataclasses.replace(config, devices=(*config.devices,
                                                Device("lobby-2", ("controller",))))


def controller(config: SiteConfig, device_id: str, data_dir: Path) -> RunningDevice:
    device = config.device(device_id)
    assert device is not None
    return RunningDevice(Runtime(config, device, ShiftedClock(TUESDAY_10), data_dir,
                                 [ControllerRole()], broker_host=config.broker.host,
                                 broker_port=config.broker.port))


def decided(device: RunningDevice) -> str:
    role = device.role("controller")
    return wait_for(lambda: device.on_loop(lambda: role.guard.decision if role.guard.decision
                                           != "starting" else None), what="a decision")


def next_alert(alerts: queue.Queue[tuple[str, bytes, bool]]) -> dict[str, Any]:
    alert = json.loads(alerts.get(timeout=10)[1])
    check("Alert", alert)
    return alert


def tickets_in(data_dir: Path) -> int:
    ledger = Ledger(data_dir / "ledger.sqlite")
    try:
        return len(ledger.events_between(["ticket.issued"], "2026-01-01", "2027-12-31"))
    finally:
        ledger.close()


def test_a_second_controller_device_refuses_to_serve_and_the_staff_are_told(
        broker: Any, tmp_path: Path) -> None:
    config = demo_config(broker, tmp_path)
    site = config.site.id
    with BlockingClient(broker.host, broker.port, site) as watcher:
        alerts = watcher.watch(topics.alert(site, "duplicate_controller"))
        statuses = watcher.watch(topics.device_status(site, "lobby-2"))
        with controller(config, "lobby-1", tmp_path / "one") as one:
            assert decided(one) == "serving"
            with controller(with_second_controller(config), "lobby-2", tmp_path / "two") as two:
                assert decided(two) == "refused"
                raised = next_alert(alerts)
                assert (raised["state"], raised["device"], raised["serving"]) == (
                    "raised", "lobby-2", "lobby-1")
                assert "lobby-2" in raised["message"]["fi"] and raised["message"]["sv"]
                assert "lobby-1 still runs the queue" in raised["message"]["en"]
                # The refusing one says so in its status and health, for `piste status` and
                # the console's device list.
                wait_for(lambda: _refused_status(statuses), what="lobby-2 says refused")
                health = two.on_loop(lambda: two.runtime.health())["controller"]
                assert health["state"] == "refused" and health["serving"] == "lobby-1"
                assert "another controller, lobby-1, already serves" in health["problem"]
                # A command is answered once, by the serving controller, into its ledger.
                with BlockingClient(broker.host, broker.port, site) as client:
                    answer = client.request(topics.ISSUE, {"request_id": "one", "service":
                                                           "kela", "lang": "fi"})
                    assert answer["ok"]
                    _past_the_command(client, two)
                assert tickets_in(tmp_path / "one") == 1
                assert tickets_in(tmp_path / "two") == 0
            cleared = next_alert(alerts)
            assert (cleared["state"], cleared["device"]) == ("cleared", "lobby-2")


def _past_the_command(client: BlockingClient, device: RunningDevice) -> None:
    """Wait until the device has handled everything the client sent before: one more
    message from the same client reaches it after them (a display's status it notes)."""
    body = {"state": "offline", "roles": ["display"], "version": "t", "since": CLOCK}
    client.publish_raw(topics.device_status(client.site, "waiting-1"), json.dumps(body).encode())
    role = device.role("controller")
    wait_for(lambda: device.on_loop(lambda: "waiting-1" in role.presence.offline_since),
             what="the device past the command")


def _refused_status(statuses: queue.Queue[tuple[str, bytes, bool]]) -> bool:
    while True:
        try:
            body = json.loads(statuses.get(timeout=0.2)[1])
        except queue.Empty:
            return False
        if body.get("controller") == "refused":
            check("DeviceStatus", body)
            return True


def test_a_restarted_controller_is_not_fooled_by_its_own_old_status_nor_by_a_refused_one(
        broker: Any, tmp_path: Path) -> None:
    config = demo_config(broker, tmp_path)
    with controller(config, "lobby-1", tmp_path / "one") as one:
        assert decided(one) == "serving"
        first_instance = one.runtime.instance
        with controller(with_second_controller(config), "lobby-2", tmp_path / "two") as two:
            assert decided(two) == "refused"
            one.runtime.request_stop("restart")
            one.thread.join(10)
            # The same device again (same data dir): its old status is "stopped", another
            # instance of itself; lobby-2 is online but has refused. Neither stops it.
            with controller(config, "lobby-1", tmp_path / "one") as again:
                assert again.runtime.instance != first_instance
                assert decided(again) == "serving"
                with BlockingClient(broker.host, broker.port, config.site.id) as client:
                    assert client.request(topics.ISSUE, {"request_id": "r", "service": "kela",
                                                         "lang": "sv"})["ok"]
            assert two.on_loop(lambda: two.role("controller").guard.decision) == "refused"


# -- a device that drops off the network ----------------------------------------------------


def piste_run_display(broker: Any, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.Popen(
        [sys.executable, "-m", "firmware.cli.main", "run", "--config", str(DEMO_SITE),
         "--device", "waiting-1", "--broker", broker.url, "--data-dir", str(data_dir),
         "--clock-start", CLOCK],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_display_that_drops_off_is_an_alert_after_the_grace_and_cleared_when_back(
        private_broker: Any, tmp_path: Path) -> None:
    from firmware.clock import ManualClock
    from firmware.core.device_presence import OFFLINE_GRACE_S
    from firmware.site_config import load_site_config
    from firmware.web.lobby import LobbyView

    loaded = load_site_config(DEMO_SITE)
    config = dataclasses.replace(loaded, broker=dataclasses.replace(
        loaded.broker, host=private_broker.host, port=private_broker.port))
    clock = ManualClock(TUESDAY_10)
    device = config.device("lobby-1")
    assert device is not None and config.site.id == SITE
    role = ControllerRole(recheck_s=3600)  # the test says when the grace is checked
    lobby = RunningDevice(Runtime(config, device, clock, tmp_path / "lobby", [role],
                                  broker_host=private_broker.host,
                                  broker_port=private_broker.port))
    console = LobbyView(config)  # the staff console's view of the lobby, fed the alerts

    def offline_count() -> int:
        lobby.on_loop(role.check_devices)
        return lobby.on_loop(lambda: role.health()["controller"]["devices_offline"])

    display = piste_run_display(private_broker, tmp_path / "waiting")
    try:
        with lobby, BlockingClient(private_broker.host, private_broker.port, SITE) as watcher:
            alerts = watcher.watch(topics.alert(SITE, "device_offline"))
            status = watcher.watch(topics.device_status(SITE, "waiting-1"))
            wait_for(lambda: json.loads(status.get(timeout=15)[1])["state"] == "online",
                     what="the display online")
            display.kill()  # a power cut: the broker publishes its last will
            display.wait(10)
            wait_for(lambda: lobby.on_loop(lambda: "waiting-1" in role.presence.offline_since),
                     what="the controller heard the last will")
            clock.advance(seconds=OFFLINE_GRACE_S - 1)
            assert offline_count() == 0  # a reboot is back within the grace: nobody paged
            clock.advance(seconds=2)
            assert offline_count() == 1
            raised = next_alert(alerts)
            assert (raised["state"], raised["device"], raised["roles"]) == (
                "raised", "waiting-1", ["display"])
            assert raised["message"]["en"] == (
                "The lobby display waiting-1 has been off the network since 10:00. Check its "
                "power and network connection.")
            assert raised["message"]["fi"].startswith("Aulanäyttö waiting-1 on ollut poissa")
            assert raised["message"]["sv"].startswith("Väntsalsskärmen waiting-1 har varit")
            assert console.take(topics.alert(SITE, "device_offline"), json.dumps(raised).encode())
            shown = console.view()["alerts"]
            assert [a["message"]["fi"] for a in shown] == [raised["message"]["fi"]]

            display = piste_run_display(private_broker, tmp_path / "waiting")
            cleared = next_alert(alerts)
            assert (cleared["state"], cleared["device"]) == ("cleared", "waiting-1")
            assert cleared["message"]["en"] == "The lobby display waiting-1 is back on the network."
            console.take(topics.alert(SITE, "device_offline"), json.dumps(cleared).encode())
            assert console.view()["alerts"] == []
            assert offline_count() == 0

            # Stopped on purpose (systemctl stop, a shutdown): no alert, however long.
            wait_for(lambda: lobby.on_loop(lambda: "waiting-1" not in
                                           role.presence.offline_since), what="online again")
            display.terminate()
            display.wait(10)
            wait_for(lambda: lobby.on_loop(lambda: role.presence.states["waiting-1"])
                     == "stopped", what="the controller heard the display stop")
            clock.advance(seconds=10 * OFFLINE_GRACE_S)
            assert offline_count() == 0
    finally:
        display.kill()
        display.wait(10)


def test_the_refused_controllers_own_display_tells_the_staff(broker: Any, tmp_path: Path
                                                             ) -> None:
    from firmware.display.role import DisplayRole

    config = demo_config(broker, tmp_path)
    # The other Pi's own config: it is the site's controller and has a screen.
    lobby_2 = dataclasses.replace(config.device("waiting-1"), id="lobby-2",
                                  roles=("controller", "display"))
    theirs = dataclasses.replace(config, devices=(lobby_2, *config.devices))
    with controller(config, "lobby-1", tmp_path / "one") as one:
        assert decided(one) == "serving"
        runtime = Runtime(theirs, lobby_2, ShiftedClock(TUESDAY_10), tmp_path / "two",
                          [ControllerRole(), DisplayRole()], broker_host=broker.host,
                          broker_port=broker.port)
        with RunningDevice(runtime) as two:
            assert decided(two) == "refused"
            display = two.role("display")
            wait_for(lambda: two.on_loop(lambda: display._last_view is not None
                                         and display._last_view.not_serving),
                     what="the notice on lobby-2's screen")
            # Read as the screen shows it: long lines wrap into several texts.
            shown = " ".join(two.on_loop(lambda: [i.text for i in display._last_plan.texts]))
            assert "Tämä laite ei ohjaa jonoa" in shown
            assert "Den här enheten styr inte kön" in shown
            assert "another controller does. Staff: call a technician" in shown
