"""Durability: what the simulator acknowledged survives `kill -9` in the middle of ingest.

A file-backed `akita-sim serve` takes batches from four writers; each writer appends the ids of
every batch answered 200 to its own log, as a careful client would. Once plenty are logged the
server is killed with SIGKILL while the writers are still sending. After a restart on the same
file, every logged message must be there: sent again, each is a duplicate.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from reliability_support import TIMEOUT, post_batches

AKITA_SIM = str(Path(sys.executable).with_name("akita-sim"))
KEY = "durable-key"
WRITERS = 4
ACKNOWLEDGED_BEFORE_KILL = 300


def serve(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """`akita-sim serve` on `folder/sim.sqlite3` and a free port; the process and its URL."""
    process = subprocess.Popen(
        [AKITA_SIM, "serve", "--port", "0", "--db", "sim.sqlite3", "--api-key", KEY,
         "--no-segment"], cwd=folder, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    banner = ""
    while not banner.endswith("Press Ctrl-C to stop.\n"):
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise AssertionError(f"akita-sim exited: {banner}{process.communicate()[1]}")
        banner += line
    return process, re.search(r"listening on (http://\S+?)[,\s]", banner)[1]


def write_until_refused(url: str, writer: int, log: Path, stop: threading.Event) -> None:
    """Send batches of five new contacts until the server is gone, logging each 200's ids."""
    with log.open("a", encoding="utf-8") as acknowledged, requests.Session() as session:
        number = 0
        while not stop.is_set():
            batch = [{"type": "contact", "message_id": f"w{writer}-{number + i}",
                      "timestamp": "2026-03-01T09:00:00.000Z", "person_id": f"p{writer}-{i}",
                      "organization_id": f"org{i % 2}", "traits": {"n": number + i}}
                     for i in range(5)]
            number += 5
            try:
                answer = session.post(f"{url}/akita/v1/segment", json={"batch": batch},
                                      auth=(KEY, ""), timeout=TIMEOUT)
            except requests.RequestException:
                return  # no whole answer: not acknowledged, so the client must not count it
            if answer.status_code == 200:
                acknowledged.write(json.dumps(batch) + "\n")
                acknowledged.flush()


def logged(logs: list[Path]) -> list[dict]:
    """Every acknowledged message in the writers' logs."""
    return [message for log in logs if log.exists()
            for line in log.read_text("utf-8").splitlines() for message in json.loads(line)]


def test_every_acknowledged_message_survives_sigkill_during_ingest(tmp_path: Path) -> None:
    process, url = serve(tmp_path)
    logs = [tmp_path / f"acks-{writer}.jsonl" for writer in range(WRITERS)]
    stop = threading.Event()
    writers = [threading.Thread(target=write_until_refused, args=(url, n, logs[n], stop))
               for n in range(WRITERS)]
    for writer in writers:
        writer.start()
    try:
        while len(logged(logs)) < ACKNOWLEDGED_BEFORE_KILL and process.poll() is None:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)  # the writers are still sending
        process.communicate(timeout=TIMEOUT)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=TIMEOUT)
    acknowledged = logged(logs)
    assert process.returncode == -signal.SIGKILL
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL

    process, url = serve(tmp_path)
    try:
        batches = [acknowledged[i:i + 500] for i in range(0, len(acknowledged), 500)]
        answers = post_batches(f"{url}/akita/v1/segment", KEY, batches)
        workspace = requests.get(f"{url}/_sim/workspaces", timeout=TIMEOUT).json()[
            "workspaces"][0]["id"]
        state = requests.get(f"{url}/_sim/workspaces/{workspace}/state", timeout=TIMEOUT).json()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)

    assert sum(answer["accepted"] for answer in answers) == 0
    assert sum(answer["duplicates"] for answer in answers) == len(acknowledged)
    assert state["counts"]["messages"] >= len(acknowledged)
