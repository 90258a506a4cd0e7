"""manage.py, like the web server, runs in production mode unless DEBUG=1 is given."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=keep | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_without_debug_or_secret_key_refuses_to_start():
    result = manage("check")
    assert result.returncode != 0
    assert "未设置 SECRET_KEY" in result.stderr
    assert "development-only" not in result.stdout + result.stderr


def test_manage_py_runs_in_development_mode_when_told():
    result = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)", DEBUG="1"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
