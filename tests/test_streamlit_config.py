"""Streamlit, started from the repository root as the README says, reads the settings in .streamlit/config.toml."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = ("server.maxUploadSize", "runner.postScriptGC", "client.toolbarMode", "browser.gatherUsageStats")


def test_streamlit_reads_the_repository_config():
    """The upload limit, no GC after every run, the viewer toolbar and no usage stats, as Streamlit reads them."""
    script = (
        "import json; from streamlit import config; config.get_config_options(force_reparse=True); "
        f"print(json.dumps({{name: config.get_option(name) for name in {OPTIONS!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}  # no outside overrides
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options == {
        "server.maxUploadSize": 10,
        "runner.postScriptGC": False,
        "client.toolbarMode": "viewer",
        "browser.gatherUsageStats": False,
    }
