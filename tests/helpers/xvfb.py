"""A private Xvfb for the tests that must see CareTill on a real X server (xcb), not offscreen."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def x_server(size: str = "1366x768x24") -> Iterator[str]:
    """Start Xvfb on a free display number (it picks one and tells us through a pipe)."""
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: scripts/test.sh installs it (apt-get install xvfb) as root"
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_end), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)
