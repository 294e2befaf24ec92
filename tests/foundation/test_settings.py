"""Settings fail loudly on bad values instead of starting half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(**env_overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "ALLOW_INSECURE_SECRET_KEY", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50})
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"TIME_ZONE": "Mars/Olympus"}, "is not a known time zone"),
        ({"LANGUAGE_CODE": "de"}, "LANGUAGE_CODE must be one of en, ru"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with"),
        ({"RETAILCRM_RATE_LIMIT_RPS": "fast"}, "RETAILCRM_RATE_LIMIT_RPS must be a whole number"),
        ({"RETAILCRM_FULL_EXPORT_HOURS": "daily"}, "RETAILCRM_FULL_EXPORT_HOURS must be a whole number"),
        ({"SECRET_KEY": "", "DEBUG": "false"}, "SECRET_KEY is not set"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(overrides, message):
    result = _start(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_it_starts_with_the_defaults_in_moscow_time():
    result = _start()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Europe/Moscow"


def test_the_full_export_period_is_read_from_the_environment():
    def hours(**env):
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                                   "print(settings.RETAILCRM_FULL_EXPORT_HOURS)"],
            cwd=ROOT, env={**{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}},
                           "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, **env},
            capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert hours() == "24"
    assert hours(RETAILCRM_FULL_EXPORT_HOURS="6") == "6"
    assert hours(RETAILCRM_FULL_EXPORT_HOURS="0") == "0"
