"""The workstation bundle an administrator installs: built by packaging/build.sh, it migrates,
loads a demo and reaches the login dialog on a real X server with nothing else installed."""

from __future__ import annotations

import os
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from tests.helpers.xvfb import x_server

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "bundle" / "caretill" / "caretill"
LOGIN_TITLE = "CareTill – sign in"


@pytest.fixture(scope="module")
def built() -> Path:
    done = subprocess.run(
        ["bash", "packaging/build.sh"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    print(done.stdout.strip().splitlines()[-1])  # the bundle's size
    return BUNDLE


def _bundle_env(tmp_path: Path) -> dict[str, str]:
    # Nothing of the development checkout: no PYTHONPATH, no venv on PATH.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "CARETILL_"))
    }
    return {
        **env,
        "CARETILL_DB": f"sqlite:///{tmp_path / 'till.sqlite3'}",
        "CARETILL_CONFIG": str(tmp_path / "config.json"),
        "CARETILL_WORKSTATION": "WS01",
    }


def _windows(display: str) -> str:
    return subprocess.run(
        ["xwininfo", "-root", "-tree"],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout


def test_the_bundle_migrates_loads_a_demo_and_shows_the_login_dialog_on_x(built, tmp_path):
    env = _bundle_env(tmp_path)
    for command in (["db", "upgrade"], ["demo", "load", "--patients", "3"]):
        done = subprocess.run(
            [str(built), *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    with x_server() as display:
        started = time.monotonic()
        window = subprocess.Popen(
            [str(built)],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**env, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
        )
        try:
            while LOGIN_TITLE not in _windows(display):
                assert window.poll() is None, f"the bundle ended: {window.stdout.read()}"
                assert time.monotonic() - started < 60, "no login dialog within 60 s"
                time.sleep(0.05)
            print(f"bundle: login dialog on X after {time.monotonic() - started:.2f} s")
        finally:
            window.kill()
            window.wait(timeout=10)


def test_the_linux_tarball_carries_the_bundle_and_its_desktop_entry(built):
    (tarball,) = (ROOT / "dist").glob("caretill-*-linux-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    top = names[0].split("/")[0]
    assert {f"{top}/caretill.desktop", f"{top}/install-linux.sh", f"{top}/app/caretill"} <= set(
        names
    )
    assert list((ROOT / "dist").glob("caretill-*-py3-none-any.whl")), "the wheel is built too"
