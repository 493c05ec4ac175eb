"""Production refuses to start with the development secret; development needs no setting."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "RELAIS_ENV"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "relais.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start():
    result = start(RELAIS_ENV="production", ALLOWED_HOSTS="relais.example.fr")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_with_a_short_secret_key_refuses_to_start():
    result = start(RELAIS_ENV="production", SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("env", [{}, {"RELAIS_ENV": "production", "SECRET_KEY": "k" * 64}])
def test_development_and_configured_production_start(env):
    result = start(**env)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
