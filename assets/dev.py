"""`make dev`: the Dagster UI and daemon on the project's instance, stopped completely on Ctrl-C or SIGTERM.

`dg dev` runs the webserver, the daemon and code servers as child processes and stops them by
sending SIGINT. A process started in the background (`make dev &`, nohup, CI) inherits SIGINT as
ignored, so those children would outlive it. Here they start in a session of their own with the
default signal handling, get SIGINT when this process is asked to stop, and whatever is still
alive after a grace period is killed.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from assets.resources import PROJECT_ROOT, dagster_home

#: Seconds the UI gets to shut down after SIGINT before its whole process group is killed.
GRACE = 20


def _default_signals() -> None:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


def _stop(group: int) -> None:
    """SIGINT to the group, then SIGKILL to whatever is left after GRACE seconds."""
    try:
        os.killpg(group, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + GRACE
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.killpg(group, signal.SIGKILL)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m assets.dev", add_help=False)
    parser.add_argument("-h", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", default="3000")
    args = parser.parse_args(argv)
    host, port = args.host, args.port
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home())}
    command = [
        str(Path(sys.executable).with_name("dg")),
        "dev",
        "-w",
        "workspace.yaml",
        "-h",
        host,
        "-p",
        port,
    ]
    ui = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, start_new_session=True, preexec_fn=_default_signals
    )
    asked = []

    def on_signal(signum, frame):
        asked.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    print(f"Dagster UI on http://{host}:{port} (instance {env['DAGSTER_HOME']}); Ctrl-C stops it", flush=True)
    while ui.poll() is None and not asked:
        time.sleep(0.2)
    _stop(ui.pid)
    ui.wait()
    return 0 if asked else ui.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
