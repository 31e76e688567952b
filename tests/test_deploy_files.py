"""The deployment files, read without Docker or Kubernetes (neither runs here): the image runs as a non-root user with
a health check, holds what the app imports and reads and no test tools; the Kubernetes manifests probe the health
endpoint, give each replica resources, and keep a visitor on one replica with WebSockets open long enough."""

from __future__ import annotations

import ast
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
K8S = ROOT / "deploy" / "k8s"
HEALTH = "/_stcore/health"


def instructions(text: str) -> list[tuple[str, str]]:
    """A Dockerfile -> its (INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    joined, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += (" " if pending else "") + line.strip()
        if pending.endswith("\\"):
            pending = pending[:-1].rstrip()
            continue
        joined.append(pending)
        pending = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in joined]


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for value in (v for n, v in steps if n == "ENV"):
        env.update(pair.split("=", 1) for pair in shlex.split(value))
    return env


@pytest.fixture(scope="module")
def steps() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def test_dockerfile_parser_reads_continuations():
    """The parser joins continued lines and drops comments, so the checks below read what Docker reads."""
    text = "# c\nFROM python:3.11-slim\nENV A=1 \\\n    B=2\n\nUSER app\n"
    assert instructions(text) == [("FROM", "python:3.11-slim"), ("ENV", "A=1 B=2"), ("USER", "app")]
    assert env_of(instructions(text)) == {"A": "1", "B": "2"}


def test_image_runs_as_a_non_root_user_on_a_slim_python(steps):
    """One stage on python:3.11-slim; the last USER is a named, non-root user created in the image."""
    assert [value for name, value in steps if name == "FROM"] == ["python:3.11-slim"]
    users = [value for name, value in steps if name == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    assert any(name == "RUN" and "useradd" in value and users[-1] in value for name, value in steps)
    assert [name for name, _ in steps].index("USER") > max(i for i, (n, _) in enumerate(steps) if n in ("RUN", "COPY"))


def test_image_exposes_its_port_and_checks_health_there(steps):
    """EXPOSE, the port Streamlit is told through the environment and the health check's URL agree."""
    env = env_of(steps)
    assert [value for name, value in steps if name == "EXPOSE"] == [env["STREAMLIT_SERVER_PORT"]]
    assert env["STREAMLIT_SERVER_ADDRESS"] == "0.0.0.0"
    (check,) = [value for name, value in steps if name == "HEALTHCHECK"]
    assert HEALTH in check and "STREAMLIT_SERVER_PORT" in check
    assert "DIGITDEMO_DATA_DIR" in env
    command = next(value for name, value in steps if name == "CMD")
    assert command == '["streamlit", "run", "streamlit_app.py"]'


def test_health_check_command_fails_without_a_server(steps):
    """The health check's command exits non-zero when nothing answers on the port, so Docker can see a dead app."""
    (check,) = [value for name, value in steps if name == "HEALTHCHECK"]
    argv = ast.literal_eval(check.split("CMD", 1)[1].strip())
    assert argv[:2] == ["python", "-c"]
    from scripts.ports import free_port

    result = subprocess.run(
        [sys.executable, "-c", argv[2]],
        env={"STREAMLIT_SERVER_PORT": str(free_port())},
        capture_output=True,
        timeout=30,
    )
    assert result.returncode != 0


def test_image_holds_what_the_app_needs_and_no_test_tools(steps):
    """Everything streamlit_app.py imports from this repository, the data and models are copied; requirements.txt is
    installed, requirements-dev.txt, tests and benchmarks are not; .dockerignore shuts out everything but what is
    copied (and caches of compiled Python)."""
    copied = {shlex.split(value)[0].rstrip("/") for name, value in steps if name == "COPY"}
    app = ast.parse((ROOT / "streamlit_app.py").read_text())
    local = {node.module.split(".")[0] for node in ast.walk(app) if isinstance(node, ast.ImportFrom) and node.module}
    local |= {
        alias.name.split(".")[0] for node in ast.walk(app) if isinstance(node, ast.Import) for alias in node.names
    }
    local = {name for name in local if (ROOT / name).is_dir()}
    assert local == {"digitdemo", "ui"}
    assert copied == local | {"requirements.txt", "streamlit_app.py", ".streamlit", "data", "models"}
    assert all((ROOT / path).exists() for path in copied)
    installs = " ".join(value for name, value in steps if name == "RUN" and "pip install" in value)
    assert "requirements.txt" in installs and "requirements-dev" not in installs
    ignore = [line for line in (ROOT / ".dockerignore").read_text().splitlines() if line and not line[0] == "#"]
    assert ignore[0] == "*"
    assert {line[1:].rstrip("/") for line in ignore if line.startswith("!")} == copied
    assert "**/__pycache__" in ignore


def test_the_copied_files_alone_run_the_app(steps, tmp_path):
    """The files the image copies, laid out as in its WORKDIR and nothing else of the repository, run the app with
    no exception and no error message, importing the package from there."""
    for value in (v for n, v in steps if n == "COPY"):
        source, target = shlex.split(value)
        target = source if target in (".", "./") else target
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, tmp_path / target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / source, tmp_path / target)
    script = (
        "import digitdemo\nfrom streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('streamlit_app.py', default_timeout=120).run()\n"
        "print(digitdemo.__file__)\nprint([e.message for e in at.exception] + [e.value for e in at.error])\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    package, problems = result.stdout.strip().splitlines()[-2:]
    assert Path(package).resolve().is_relative_to(tmp_path.resolve())
    assert problems == "[]"


def manifests() -> dict[str, dict]:
    """deploy/k8s/*.yaml by kind."""
    documents = [doc for path in sorted(K8S.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return {doc["kind"]: doc for doc in documents}


def test_deployment_probes_health_and_sizes_each_replica():
    """The Deployment runs several non-root replicas with startup, readiness and liveness probes on the health
    endpoint, CPU and memory requests and limits, and the shared database's URL from a Secret."""
    deployment = manifests()["Deployment"]
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["containers"]
    port = {p["name"]: p["containerPort"] for p in container["ports"]}["http"]
    env = {e["name"]: e for e in container["env"]}
    assert env["STREAMLIT_SERVER_PORT"]["value"] == str(port)
    assert "secretKeyRef" in env["DIGITDEMO_DATABASE_URL"]["valueFrom"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": HEALTH, "port": "http"}, probe
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(container["resources"][kind]), kind
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()


def test_service_and_ingress_keep_a_visitor_on_one_replica():
    """The Service selects the Deployment's pods; the Ingress (ingress-nginx) routes to it with cookie affinity,
    hour-long WebSocket timeouts and the app's upload size."""
    found = manifests()
    service, ingress = found["Service"], found["Ingress"]
    assert service["spec"]["selector"].items() <= found["Deployment"]["spec"]["template"]["metadata"]["labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    notes = ingress["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie"
    assert notes[prefix + "affinity-mode"] == "persistent"
    assert int(notes[prefix + "proxy-read-timeout"]) >= 3600 and int(notes[prefix + "proxy-send-timeout"]) >= 3600
    assert notes[prefix + "proxy-body-size"] == "10m"
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (path,) = ingress["spec"]["rules"][0]["http"]["paths"]
    assert path["backend"]["service"] == {"name": service["metadata"]["name"], "port": {"name": "http"}}


def test_the_deploy_tool_needs_no_test_kit():
    """deploy/replicas.py, run as a script the way an operator runs it, loads no module of testkit/ (the test kit
    builds on deploy/servers.py, not the other way round)."""
    probe = (
        "import runpy, sys; sys.argv = ['replicas.py', '--print-config', '--replica', '127.0.0.1:1'];\n"
        "try:\n    runpy.run_path('deploy/replicas.py', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print([name for name in sys.modules if name.split('.')[0] == 'testkit'])"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "upstream replica_0" in result.stdout  # the tool did run
    assert result.stdout.strip().splitlines()[-1] == "[]"
