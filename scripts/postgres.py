"""A throwaway PostgreSQL server on 127.0.0.1 for the storage tests: install Debian's package, start, stop, remove.

python -m scripts.postgres install      # apt-get postgresql if missing (root only)
python -m scripts.postgres start [DIR]  # a cluster in DIR (default: a new temp dir) on a free port; prints its URL
python -m scripts.postgres stop DIR     # stop it, keeping its data (start DIR again resumes on the same port)
python -m scripts.postgres remove DIR   # stop it and delete DIR
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.ports import free_port

DEBIAN_BIN = Path("/usr/lib/postgresql")
CREATECLUSTER_CONF = Path("/etc/postgresql-common/createcluster.conf")
USER = "postgres"  # PostgreSQL refuses to run as root; Debian's package creates this user
DATABASE_USER = "digitdemo"
START_ATTEMPTS = 3  # a free port can be taken between choosing it and the server binding it
# A throwaway cluster: durability is pointless and fsync costs the tests seconds.
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket_dir}'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
"""


class NotInstallableError(RuntimeError):
    """PostgreSQL is not installed and cannot be installed here; the message says why."""


def find_bin() -> Path | None:
    """Folder of initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, else the PATH's; None if neither."""
    versions = sorted(DEBIAN_BIN.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True)
    if versions:
        return versions[0].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def install() -> Path:
    """Install Debian's postgresql if initdb is missing -> its bin folder; NotInstallableError where impossible."""
    found = find_bin()
    if found:
        return found
    if os.geteuid() != 0:
        raise NotInstallableError("PostgreSQL is not installed and installing it needs root")
    if not shutil.which("apt-get"):
        raise NotInstallableError("PostgreSQL is not installed and this machine has no apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    apt_install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends"]
    subprocess.run([*apt_install, "postgresql-common"], check=True, env=env, stdout=subprocess.DEVNULL)
    # Else Debian makes and starts a default cluster on port 5432 that nothing here uses (as postgres's image does).
    settings = CREATECLUSTER_CONF.read_text() if CREATECLUSTER_CONF.exists() else ""
    if "\ncreate_main_cluster = false" not in settings:
        CREATECLUSTER_CONF.write_text(settings + "\ncreate_main_cluster = false\n")
    subprocess.run([*apt_install, "postgresql"], check=True, env=env, stdout=subprocess.DEVNULL)
    found = find_bin()
    if not found:
        raise NotInstallableError("apt-get installed postgresql but no initdb was found")
    return found


def _as_server_user(args: list[str]) -> list[str]:
    """The command run as the postgres user when we are root (as ourselves otherwise)."""
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", USER, "--", *args]


def _run(args: list[str]) -> None:
    result = subprocess.run(_as_server_user(args), capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def url_of(folder: Path) -> str:
    """The SQLAlchemy URL of the cluster in `folder` (written by start)."""
    return (folder / "url").read_text().strip()


def start(folder: Path | None = None) -> tuple[Path, str]:
    """Start the cluster in `folder`, creating it (in a new temp dir if None) on a free port -> (folder, URL)."""
    bindir = install()
    folder = Path(folder or tempfile.mkdtemp(prefix="digitdemo-pg-"))
    data = folder / "data"
    for attempt in range(START_ATTEMPTS):
        if not data.exists():
            _create(bindir, folder, free_port())
        log = folder / "server.log"
        try:
            _run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "start"])
            break
        except RuntimeError:
            if attempt == START_ATTEMPTS - 1 or not log.exists() or "could not bind" not in log.read_text():
                raise
            shutil.rmtree(data)  # the port was taken: make the cluster again on another
    return folder, url_of(folder)


def _create(bindir: Path, folder: Path, port: int) -> None:
    """initdb a cluster in folder/data for DATABASE_USER with a random password, listening on 127.0.0.1:port."""
    password = secrets.token_urlsafe(16)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "password").write_text(password)
    if os.geteuid() == 0:
        entry = pwd.getpwnam(USER)
        for path in (folder, folder / "password"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    _run(
        [
            str(bindir / "initdb"),
            "-D",
            str(folder / "data"),
            "-U",
            DATABASE_USER,
            "--auth=scram-sha-256",
            f"--pwfile={folder / 'password'}",
            "-E",
            "UTF8",
            "--no-sync",
            "--no-instructions",
        ]
    )
    with open(folder / "data" / "postgresql.conf", "a") as conf:
        conf.write(SETTINGS.format(port=port, socket_dir=folder))
    (folder / "url").write_text(f"postgresql+psycopg://{DATABASE_USER}:{password}@127.0.0.1:{port}/postgres\n")


def stop(folder: Path, mode: str = "fast") -> None:
    """Stop the cluster in `folder`; "fast" cuts open sessions as when a server goes down, "immediate" skips the
    final checkpoint too (for a cluster about to be deleted). Never installs anything: without PostgreSQL's binaries
    there is nothing to stop with, which is a RuntimeError naming the folder."""
    bindir = find_bin()
    if bindir is None:
        raise RuntimeError(f"no PostgreSQL binaries (pg_ctl) found to stop the cluster in {folder} with")
    _run([str(bindir / "pg_ctl"), "-D", str(folder / "data"), "-m", mode, "-w", "stop"])


def remove(folder: Path) -> None:
    """Stop the cluster in `folder` if it runs, then delete the folder."""
    if (folder / "data" / "postmaster.pid").exists():
        stop(folder, "immediate")
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str]) -> int:
    if (
        not argv
        or argv[0] not in ("install", "start", "stop", "remove")
        or (argv[0] in ("stop", "remove") and len(argv) != 2)
    ):
        print(__doc__, file=sys.stderr)
        return 2
    command, folder = argv[0], Path(argv[1]) if len(argv) > 1 else None
    try:
        if command == "install":
            print(install())
        elif command == "start":
            folder, url = start(folder)
            print(url)
            print(f"cluster in {folder}; stop it with: python -m scripts.postgres remove {folder}", file=sys.stderr)
        elif command == "stop":
            stop(folder)
        else:
            remove(folder)
    except (RuntimeError, subprocess.CalledProcessError) as exc:  # NotInstallableError is a RuntimeError
        print(f"postgres: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
