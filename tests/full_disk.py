"""A full disk for tests: a tiny tmpfs filled to the last byte (needs root to mount; the tests
that use it are skipped, saying why, where it cannot be mounted)."""

import os
import shutil
import subprocess

import pytest


def full_tmpfs(tmp_path):
    """Yield a tiny tmpfs filled to the last byte, where the test may mount one (use it in a
    fixture: ``yield from full_tmpfs(tmp_path)``)."""
    mount_point = tmp_path / "full"
    mount_point.mkdir()
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the full-disk case cannot be simulated here")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        filler = mount_point / "filler"
        with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError):
            while True:
                handle.write(b"\0" * 4096)
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)
