"""N replicas of the app behind nginx on this machine's loopback, for tests and benchmarks: each replica a
`streamlit run` on a free port, nginx (deploy/nginx.conf.template) in front as a child process with its own folder.

`python deploy/replicas.py --replicas 2` starts them, prints nginx's address once every replica is healthy, and
stops everything on Ctrl-C or SIGTERM. `--print-config --replica HOST:PORT ... --listen PORT` prints the nginx
configuration for replicas elsewhere instead. Every replica gets one shared database: DIGITDEMO_DATABASE_URL when
set, or with `--postgres` a throwaway PostgreSQL on the loopback (scripts/postgres.py), removed when they stop.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python deploy/replicas.py`: the support code lives beside this folder
    sys.path.insert(0, str(ROOT))

from deploy.servers import (  # noqa: E402
    POLL_SECONDS,
    START_SECONDS,
    Server,
    healthy,
    log_tail,
    serve_many,
    stop,
)
from scripts import postgres  # noqa: E402
from scripts.ports import free_port  # noqa: E402

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
NGINX = "/usr/sbin/nginx"  # where Debian's package puts it, often not on a non-root PATH
COOKIE = "digitdemo_replica"  # the affinity cookie the template sets
HEADER = "X-Digitdemo-Replica"  # the response header naming the replica that served it
FAIL_TIMEOUT_SECONDS = 10  # how long nginx leaves out a replica that failed once
NGINX_START_SECONDS = 10


def find_nginx() -> str | None:
    """The nginx program on PATH or where Debian installs it; None when there is none."""
    return shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)


def replica_name(index: int) -> str:
    return f"replica_{index}"


def render_config(replicas: Sequence[str], listen: str, prefix: str) -> str:
    """The nginx configuration for `replicas` ('host:port' each) listening on `listen` ('[host:]port') with its
    pid file, logs and temp files under `prefix`."""
    health = f"max_fails=1 fail_timeout={FAIL_TIMEOUT_SECONDS}s"
    upstreams = []
    for index, address in enumerate(replicas):
        others = [f"        server {other} backup {health};" for other in replicas if other != address]
        upstreams += [f"    upstream {replica_name(index)} {{", f"        server {address} {health};", *others, "    }"]
    upstreams += ["    upstream fresh {", *(f"        server {address} {health};" for address in replicas), "    }"]
    pools = [f"        {replica_name(index)} {replica_name(index)};" for index in range(len(replicas))]
    names = [
        f'        "~(^|\\s){re.escape(address)}$" {replica_name(index)};' for index, address in enumerate(replicas)
    ]
    text = TEMPLATE.read_text()
    for marker, value in (
        ("@UPSTREAMS@", "\n".join(upstreams)),
        ("@POOLS@", "\n".join(pools)),
        ("@REPLICA_NAMES@", "\n".join(names)),
        ("@LISTEN@", listen),
        ("@PREFIX@", prefix),
    ):
        text = text.replace(marker, value)
    return text


@contextlib.contextmanager
def run_nginx(replicas: Sequence[str], timeout: float = NGINX_START_SECONDS) -> Iterator[str]:
    """nginx in front of `replicas` ('host:port' each) on a free loopback port, in the foreground as a child of this
    process with its own folder; yields its URL once it passes a health check through to a replica."""
    nginx = find_nginx()
    if nginx is None:
        raise RuntimeError("nginx is not installed: `apt-get install nginx` (scripts/test.sh does it as root)")
    with tempfile.TemporaryDirectory(prefix="digitdemo-nginx-") as prefix:
        # Started as root, nginx runs its worker as nobody, which must reach the temp folders nginx makes here.
        os.chmod(prefix, 0o755)
        port = free_port()
        config = Path(prefix) / "nginx.conf"
        config.write_text(render_config(replicas, f"127.0.0.1:{port}", prefix))
        log = Path(prefix) / "stderr.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [nginx, "-p", prefix, "-c", str(config), "-e", f"{prefix}/error.log", "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + timeout
            while not healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    errors = Path(prefix) / "error.log"
                    detail = log_tail(log) + (log_tail(errors) if errors.exists() else "")
                    raise RuntimeError(f"nginx did not pass a health check within {timeout:.0f} s:\n{detail}")
                time.sleep(POLL_SECONDS)
            yield url
        finally:
            stop(proc)


@dataclass
class Cluster:
    """Replicas behind nginx: `url` is nginx's, `replicas` maps each replica's name to its server."""

    url: str
    replicas: dict[str, Server]

    def crash(self, name: str) -> None:
        """Kill the replica `name` at once (SIGKILL), as a crash or a lost machine would end it."""
        self.replicas[name].proc.kill()
        self.replicas[name].proc.wait()


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster on a free loopback port for the replicas to share; yields its URL, removed after."""
    folder, url = postgres.start()
    try:
        yield url
    finally:
        postgres.remove(folder)


@contextlib.contextmanager
def run_replicas(count: int, env: dict[str, str] | None = None, timeout: float = START_SECONDS) -> Iterator[Cluster]:
    """`count` replicas of the app (environment `env` added) and nginx in front; everything stopped after."""
    with serve_many(count, env=env, timeout=timeout) as servers:
        addresses = [server.url.removeprefix("http://") for server in servers]
        with run_nginx(addresses) as url:
            yield Cluster(url, {replica_name(index): server for index, server in enumerate(servers)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2, help="how many replicas to start on this machine")
    parser.add_argument("--postgres", action="store_true", help="share a throwaway PostgreSQL (scripts/postgres.py)")
    parser.add_argument("--print-config", action="store_true", help="print the nginx configuration and exit")
    parser.add_argument("--replica", action="append", default=[], help="with --print-config: a replica's HOST:PORT")
    parser.add_argument("--listen", default="80", help="with --print-config: the address nginx listens on")
    parser.add_argument("--prefix", default="/var/lib/nginx", help="with --print-config: nginx's working folder")
    args = parser.parse_args(argv)
    if args.print_config:
        if not args.replica:
            parser.error("--print-config needs at least one --replica HOST:PORT")
        print(render_config(args.replica, args.listen, args.prefix))
        return 0
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    # SIGTERM ends the process the way Ctrl-C does, through the `with` blocks that stop every child.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with contextlib.ExitStack() as stack:
            env = {"DIGITDEMO_DATABASE_URL": stack.enter_context(throwaway_postgres())} if args.postgres else None
            cluster = stack.enter_context(run_replicas(args.replicas, env=env))
            ports = ", ".join(server.url for server in cluster.replicas.values())
            shared = (
                "a throwaway PostgreSQL"
                if args.postgres
                else "the database of DIGITDEMO_DATABASE_URL or the data folder"
            )
            print(
                f"{cluster.url} -> {args.replicas} replicas ({ports}) sharing {shared}; Ctrl-C or SIGTERM stops them",
                flush=True,
            )
            while all(server.proc.poll() is None for server in cluster.replicas.values()):
                time.sleep(1)
            print("a replica exited; stopping the others", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
