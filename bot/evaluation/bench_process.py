"""Processes the benchmark measures: wall time and peak RSS of a child, a worker job, a Chroma server.

    run = measured([sys.executable, "-m", "bot", "ask", "Why?", "--store", "store"])
    run.seconds, run.rss_mb          # wall time, the child's own peak resident memory (wait4)
    result, run = worker("warm", {...})
    with chroma_server(Path("store")) as (url, server): ...   # server.rss_mb once stopped
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMA = Path(sys.executable).parent / "chroma"


class BenchError(RuntimeError):
    """A measured process failed; the message holds its last lines of output."""


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without Verbatim or OpenAI settings (a bench measures the defaults)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERBATIM_", "OPENAI_", "AZURE_OPENAI"))}
    return env | {"ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(ROOT)} | extra


def _reap(pid: int, started: float, timeout: float | None) -> tuple[int, float, float]:
    """Wait for the child (polling every 5 ms); its exit code, wall time and peak RSS in MB."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024
        if timeout and time.perf_counter() - started > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            raise BenchError(f"timed out after {timeout:.0f} s")
        time.sleep(0.005)


def measured(cmd: list[str], env: dict[str, str] | None = None, timeout: float | None = None) -> Run:
    """Run `cmd` from the repository root; raise `BenchError` with its stderr's end if it fails."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env or clean_env(), cwd=ROOT)
        try:
            code, seconds, rss = _reap(proc.pid, started, timeout)
        except BaseException:  # interrupted (Ctrl-C): leave no child running
            proc.kill()
            raise
        proc.returncode = code  # reaped here, so Popen must not wait for it again
        out.seek(0), err.seek(0)
        run = Run(seconds, rss, code, out.read(), err.read())
    if code != 0:
        raise BenchError(f"{' '.join(cmd[:4])} ... exited {code}: {run.stderr.strip()[-1500:]}")
    return run


def worker(job: str, args: dict, env: dict[str, str] | None = None, timeout: float | None = None) -> tuple[dict, Run]:
    """One `bot.evaluation.bench_worker` job in a fresh process: its JSON result and the run."""
    run = measured([sys.executable, "-m", "bot.evaluation.bench_worker", job, json.dumps(args)], env, timeout)
    return json.loads(run.stdout.strip().splitlines()[-1]), run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `chroma run`; `rss_mb` is its peak resident memory, known once it has stopped."""

    def __init__(self, url: str):
        self.url, self.rss_mb = url, None


@contextlib.contextmanager
def chroma_server(path: Path, timeout: float = 120):
    """`chroma run --host 127.0.0.1 --port P --path PATH`, up once its heartbeat answers."""
    url = f"http://127.0.0.1:{free_port()}"
    log = path.parent / f"{path.name}-server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([str(CHROMA), "run", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1],
                                 "--path", str(path)], stdout=out, stderr=subprocess.STDOUT, env=clean_env(),
                                cwd=path.parent, start_new_session=True)
    server, started = Server(url), time.perf_counter()
    try:
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
                    if response.status == 200:
                        break
            if proc.poll() is not None or time.perf_counter() - started > timeout:
                raise BenchError(f"`chroma run` did not answer its heartbeat: {log.read_text()[-1000:]}")
            time.sleep(0.2)
        yield server
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(BenchError):
                _, _, server.rss_mb = _reap(proc.pid, time.perf_counter(), 30)
            proc.returncode = 0


def disk_bytes(folder: Path) -> int:
    """Bytes the files under `folder` take on disk (allocated blocks, as `du` counts them)."""
    return sum(p.stat().st_blocks * 512 for p in folder.rglob("*") if p.is_file())
