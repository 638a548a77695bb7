"""Offline means offline: ingest and ask open no network connection and leave nothing in the home
cache (onnxruntime's telemetry writes a device id and an event queue under ~/.cache/Microsoft and
uploads to Microsoft unless it is switched off before the runtime starts).

Connections are seen from outside the process, with `strace -f -e trace=connect`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import INTERVIEW_SOURCE, ROOT, skip_or_fail

# connect() calls to anything but loopback and local sockets
_CONNECT = re.compile(r"connect\(\d+, \{sa_family=AF_INET6?, (?P<addr>[^}]*)\}")


def outside_connections(strace_log: str) -> list[str]:
    """The connect() targets in an strace log that are not loopback.

    >>> outside_connections('12 connect(3, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0')
    ['sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")']
    >>> outside_connections('12 connect(3, {sa_family=AF_INET, sin_port=htons(8000), sin_addr=inet_addr("127.0.0.1")}, 16) = 0')
    []
    """
    found = [m.group("addr") for m in _CONNECT.finditer(strace_log)]
    return [a for a in found if not re.search(r'inet_addr\("127\.|inet_pton\(AF_INET6, "::1"', a)]


def traced(args: list[str], home, log) -> subprocess.CompletedProcess:
    if not shutil.which("strace"):
        skip_or_fail("strace is missing: install Debian's strace (apt-get install strace) to check that nothing leaves the machine")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_", "ORT_"))}
    env["HOME"] = str(home)
    return subprocess.run(["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=connect", "-o", str(log), sys.executable, *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_ingest_and_ask_stay_on_the_machine(tmp_path):
    home, store = tmp_path / "home", tmp_path / "store"
    home.mkdir()
    ingest = traced(["-m", "ingest", INTERVIEW_SOURCE, "--store", str(store)], home, tmp_path / "ingest.log")
    assert ingest.returncode == 0, ingest.stderr
    ask = traced(["-m", "bot", "ask", "Is water a human right?", "--store", str(store)], home, tmp_path / "ask.log")
    assert ask.returncode == 0, ask.stderr
    for log in ("ingest.log", "ask.log"):
        assert outside_connections((tmp_path / log).read_text()) == [], f"{log}: a connection left the machine"
    left = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    assert not [p for p in left if "Microsoft" in p or "onnxruntime" in p], left


@pytest.mark.parametrize("line", ["connect(3, {sa_family=AF_INET6, sin6_port=htons(443), inet_pton(AF_INET6, \"2606::1\", &sin6_addr)}, 28)"])
def test_the_check_sees_a_connection_out(line):
    assert outside_connections(f"99 {line} = 0")
