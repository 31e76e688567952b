"""Replicas behind nginx (deploy/replicas.py, deploy/nginx.conf.template) sharing one PostgreSQL, under Locust's
lesson (benchmarks/locustfile.py: pupils drawing and sending to a class room, a teacher's class view), on a small
setting: every pupil stays on one replica; when a replica is killed its pupils reconnect through nginx to the other
and go on, the other replica's pupils see no error, and every send stored is in the room once; while the database is
stopped, sends and the class view say it cannot be reached, and work again once it is back. No timing is asserted.
Tests that run nginx skip without it, except under CI (CI set), where they fail: scripts/test.sh installs it."""

from __future__ import annotations

import http.client
import re
import select
import signal
import subprocess
import sys

import psutil
import pytest

from benchmarks.replicas import (
    KINDS,
    UNAVAILABLE,
    Crash,
    Landed,
    Outage,
    Setting,
    failures,
    harness_problems,
    refused,
    replicas_seen,
    run_setting,
)
from deploy.replicas import find_nginx, main, render_config, run_replicas
from deploy.servers import ROOT, START_SECONDS, healthy
from scripts import postgres
from testkit.protocol import STOPPED

VISITORS = 5  # 4 pupils and the teacher
SECONDS = 12
KILL_AFTER = 5
DB_VISITORS = 5
DB_SECONDS = 16
DB_DOWN_AFTER = 4
DB_DOWN_SECONDS = 4  # longer than the class view's refresh: the teacher's view is refused at least once


@pytest.fixture(scope="module")
def nginx() -> str:
    """The nginx program; the test is skipped without it (failed under CI)."""
    found = find_nginx()
    if found is None:
        pytest.skip("nginx is not installed (scripts/test.sh installs it as root)")
    return found


@pytest.fixture(scope="module")
def postgres_installed() -> None:
    """The test is skipped without PostgreSQL's programs (failed under CI: scripts/test.sh installs them)."""
    if postgres.find_bin() is None:
        pytest.skip("PostgreSQL is not installed (scripts/test.sh installs it as root)")


def test_rendered_config_is_valid_nginx(nginx, tmp_path):
    """The template rendered for two replicas passes `nginx -t`; each replica's upstream has the other as backup."""
    config = render_config(["127.0.0.1:18001", "127.0.0.1:18002"], "127.0.0.1:18000", str(tmp_path))
    assert re.search(r"@[A-Z_]+@", config) is None  # every marker filled in
    assert "server 127.0.0.1:18002 backup max_fails=1" in config.split("upstream replica_0 {")[1].split("}")[0]
    (tmp_path / "nginx.conf").write_text(config)
    check = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0, check.stderr


def test_print_config_needs_a_replica(capsys):
    """--print-config without a replica is a usage message, not a traceback."""
    with pytest.raises(SystemExit) as stopped:
        main(["--print-config"])
    assert stopped.value.code == 2
    assert "--print-config needs at least one --replica HOST:PORT" in capsys.readouterr().err


def test_script_serves_until_sigterm_then_stops_everything(nginx, postgres_installed):
    """`python deploy/replicas.py --replicas 1 --postgres` prints nginx's address once the app answers through it,
    sharing a PostgreSQL of its own; SIGTERM ends the script with status 0 and nginx and the replica with it."""
    proc = subprocess.Popen(
        [sys.executable, "deploy/replicas.py", "--replicas", "1", "--postgres"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], START_SECONDS)
        assert ready, "no address printed in time"
        printed = proc.stdout.readline()
        assert "sharing a throwaway PostgreSQL" in printed
        url = printed.split()[0]
        assert healthy(url)
        children = psutil.Process(proc.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert any("nginx: master" in command for command in commands), commands
        assert any("streamlit run streamlit_app.py" in command for command in commands), commands
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        assert not healthy(url)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def upgrade_status(url: str, host: str) -> int:
    """The status nginx at `url` answers a browser's WebSocket upgrade to the app's stream from a page served as
    `host`:<nginx's port> (the request still goes to 127.0.0.1)."""
    port = int(url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest("GET", "/_stcore/stream", skip_host=True)
        headers = {
            "Host": f"{host}:{port}",
            "Origin": f"http://{host}:{port}",
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Protocol": "streamlit",
        }
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def test_websocket_opens_for_a_page_on_any_host_and_port(nginx):
    """A page served under a school's host name on a port of its own opens its WebSocket through nginx: nginx passes
    the Host header with its port, which Streamlit compares with the page's Origin (passing the bare host made
    Streamlit refuse the upgrade with 403)."""
    with run_replicas(1) as cluster:
        assert upgrade_status(cluster.url, "digitdemo.school.example") == 101
        assert upgrade_status(cluster.url, "127.0.0.1") == 101


def line(pupil: int, t: float, event: str, replica: str, ok: bool | None = True, **more) -> dict:
    return {"pupil": pupil, "t": t, "event": event, "replica": replica, "ok": ok, **more}


def test_crash_sorts_pupils_by_the_replica_they_started_on():
    """Pupils who started on the killed replica are its victims; a victim who worked on another replica after the
    kill went on; a pupil seen on two replicas changed replica."""
    lines = [
        line(0, 1, "connect", "replica_0", None, page="replica_0"),
        line(0, 2, "stroke", "replica_0"),
        line(0, 5, "stroke", "replica_0", False, error="connection lost"),
        line(0, 6, "connect", "replica_1", None, page="replica_1"),
        line(0, 7, "stroke", "replica_1"),
        line(1, 1, "connect", "replica_1", None, page="replica_1"),
        line(1, 6, "tab", "replica_1"),
        line(2, 1, "connect", "replica_0", None, page="replica_0"),
        line(2, 5, "stroke", "replica_0", False, error="connection lost"),
    ]
    setting = Setting(2, {}, lines, {}, {}, killed="replica_0", killed_at=4.0)
    crash = Crash.of(setting)
    assert set(crash.victims) == {0, 2} and set(crash.others) == {1}
    assert crash.went_on == [0] and crash.recovery_seconds == [3.0]
    assert replicas_seen(crash.victims[0]) == ["replica_0", "replica_1"]
    assert failures(crash.victims[2]) == ["stroke: connection lost"]


def test_landed_compares_each_pupils_rows_with_its_sends():
    """A pupil with one row per successful send is exact; one row more than that is unsure only when a send lost its
    connection or was cut off by the run's end (and such a send is no failure of the app); a row missing, or doubled
    without such a send, is wrong; the teacher (no token) is not counted."""
    lost = {"error": "connection lost: ConnectionClosedError"}
    lines = [
        line(0, 0, "student", "", None, token="a"),
        line(0, 1, "send", "r"),
        line(0, 2, "send", "r"),
        line(1, 0, "student", "", None, token="b"),
        line(1, 1, "send", "r"),
        line(1, 2, "send", "r", False, **lost),
        line(2, 0, "student", "", None, token="c"),
        line(2, 1, "send", "r"),
        line(3, 0, "student", "", None, token="d"),
        line(3, 1, "send", "r"),
        line(4, 1, "class view", "r"),
        line(5, 0, "student", "", None, token="e"),
        line(5, 1, "send", "r", False, error=STOPPED),
    ]
    stored = {"a": [1.0, 2.0], "b": [1.0, 2.0], "c": [1.0, 1.5], "d": [], "e": [1.0]}
    setting = Setting(2, {}, lines, {}, {}, stored=stored)
    landed = Landed.of(setting)
    assert (landed.sent, landed.rows) == (5, 7)
    assert (landed.exact, landed.unsure, landed.wrong) == ([0], [1, 5], [2, 3])
    assert failures(lines) == ["send: connection lost: ConnectionClosedError"]


def test_outage_sorts_interactions_by_the_database_being_down():
    """Refusals with the 'cannot be reached' message are counted from the stop asked for to the start done, and
    outside it; successes after; rows stored while the database was stopped, by their time; other failures listed."""
    says = {"error": f"the page says: {UNAVAILABLE}"}
    lines = [
        line(0, 1, "send", "r"),
        line(0, 3, "send", "r", False, **says),
        line(1, 4, "class view", "r", False, **says),
        line(0, 5, "stroke", "r", False, error="connection lost"),
        line(0, 7, "send", "r"),
        line(1, 8, "class view", "r"),
        line(1, 9, "send", "r", False, **says),
    ]
    setting = Setting(1, {}, lines, {}, {}, stored={"a": [1.0, 2.5, 7.0], "b": [4.0]}, db_down=(2.0, 2.4, 5.5, 6.0))
    outage = Outage.of(setting)
    assert outage.refused_during == {"send": 1, "class view": 1} and outage.refused_outside == {
        "send": 1,
        "class view": 0,
    }
    assert outage.worked_after == {"send": 1, "class view": 1} and outage.stored_while_down == 2
    assert outage.other_failures == ["stroke: connection lost"] and outage.first_send_after == 1.0
    assert refused(lines[1]) and not refused(lines[3])


def test_killed_replicas_pupils_go_on_and_the_others_see_no_error(nginx, postgres_cluster):
    """Two replicas, one database, four pupils and a teacher: before the kill each stays on one replica; after
    replica_0 is killed its visitors lose the connection (a failed interaction each, at most), reconnect to replica_1
    and work there; replica_1's visitors neither fail nor move; the pupils sent drawings, and the room holds each
    successful send once (a send cut off by the kill may have landed: then once too). Locust itself exits 0 with no
    traceback or assertion in its output (run_setting raises HarnessError otherwise): the harness survives a kill."""
    setting = run_setting(2, VISITORS, SECONDS, VISITORS, postgres_cluster, kill_after=KILL_AFTER)
    assert setting.killed == "replica_0" and setting.killed_at is not None
    pupils = setting.pupils()
    assert len(pupils) == VISITORS
    for pupil, lines in pupils.items():
        before = [entry for entry in lines if entry["t"] < setting.killed_at]
        assert len(replicas_seen(before)) == 1, pupil
        assert any(entry.get("ok") and entry["event"] in KINDS for entry in before), pupil
    crash = Crash.of(setting)
    assert crash.victims and crash.others  # nginx's round robin put new pupils on both replicas
    assert sorted(crash.went_on) == sorted(crash.victims)
    for pupil, lines in crash.victims.items():
        assert replicas_seen(lines) == ["replica_0", "replica_1"], pupil
        assert all(error.split(": ", 1)[1].startswith("connection lost") for error in failures(lines)), pupil
    for pupil, lines in crash.others.items():
        assert replicas_seen(lines) == ["replica_1"], pupil
        assert failures(lines) == [], pupil
    victim_failures = sum(len(failures(lines)) for lines in crash.victims.values())
    assert int(setting.stats["Aggregated"]["Failure Count"]) == victim_failures  # Locust counted what the log says
    assert setting.locust_errors == [] and setting.harness_problems == []
    landed = Landed.of(setting)
    assert landed.sent > 0 and landed.wrong == []


def test_database_restart_refuses_with_a_message_then_works_again(nginx, postgres_cluster):
    """One replica, PostgreSQL stopped for a few seconds then started again, the app left running: while it is down
    the teacher's class view (and any send) shows the 'cannot be reached' message and nothing is stored; once it is
    back, the class view and sends work again; nothing else fails; every successful send is in the room once."""
    setting = run_setting(
        1,
        DB_VISITORS,
        DB_SECONDS,
        DB_VISITORS,
        postgres_cluster,
        db_down_after=DB_DOWN_AFTER,
        db_down_seconds=DB_DOWN_SECONDS,
    )
    assert setting.db_down is not None
    outage = Outage.of(setting)
    assert outage.refused_during["class view"] >= 1 and outage.stored_while_down == 0
    assert outage.worked_after["class view"] >= 1 and outage.worked_after["send"] >= 1
    assert outage.refused_outside == {"send": 0, "class view": 0}
    assert outage.other_failures == []
    landed = Landed.of(setting)
    assert landed.wrong == [] and landed.unsure == []


def test_harness_problems_are_told_from_the_apps_failures():
    """The lines of Locust's output that mean the harness broke (libev's assertion at shutdown, a greenlet's
    traceback) are picked out; Locust's ordinary report lines are not."""
    output = (
        "Type     Name  # reqs      # fails |    Avg     Min     Max    Med\n"
        "WS       stroke   120     2(1.67%) |     41       9    1025     40\n"
        'python: ../gevent/deps/libev/ev_epoll.c:134: epoll_modify: Assertion `("libev: I/O watcher with invalid fd '
        "found in epoll_ctl\", ...)' failed.\n"
        "Traceback (most recent call last):\n"
    )
    assert [line[:20] for line in harness_problems(output)] == ["python: ../gevent/de", "Traceback (most rece"]
    assert harness_problems("WS  stroke  120  0(0.00%)\n") == []
