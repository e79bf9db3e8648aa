"""Debian's headless Chromium for the CLI tests: find it (installing it with apt-get as root when
it is missing), and load a page to dump its DOM or take a screenshot."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
#: flags that keep headless Chromium off the network (no updates, sync or QUIC) and sandbox-free as root
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed and could not be installed."""


def find_or_install_chromium(timeout: float = 900) -> str:
    """The path of Debian's Chromium; installed with `apt-get install -y chromium` when missing."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BrowserUnavailable(f"{CHROMIUM} is missing and apt-get cannot install it here (needs root and apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise BrowserUnavailable(f"`{' '.join(command)}` failed: {result.stderr.strip()[-500:]}")
    if not Path(CHROMIUM).exists():
        raise BrowserUnavailable(f"apt-get installed chromium but {CHROMIUM} is not there")
    return CHROMIUM


def run_chromium(chromium: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with a fresh profile in a temp dir and `args` (e.g. `--dump-dom URL`)."""
    with tempfile.TemporaryDirectory(prefix="dlt-chromium-") as profile:
        return subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def dump_dom(chromium: str, url: str) -> str:
    """The DOM Chromium renders for `url`, serialized as HTML."""
    result = run_chromium(chromium, "--dump-dom", url)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(chromium: str, url: str, path: Path, size: str = "1280,1400") -> Path:
    """A PNG of `url` as Chromium renders it, written to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    result = run_chromium(chromium, f"--screenshot={path}", f"--window-size={size}", "--hide-scrollbars", url)
    assert result.returncode == 0 and path.exists(), result.stderr[-2000:]
    return path
