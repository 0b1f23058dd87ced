"""Engine checkpoints: a workspace's state as of a message position, in files beside the database.

`<db>.checkpoints/<workspace>.ckpt` holds one JSON line (the engine version, the position and id
of the last message the state includes) and then the state's bytes. A checkpoint is trusted
only while its last message is still stored at its position, so one of a workspace reset since
(even while it was being written) is never loaded.

Written by a child process forked from the server (`write_forked`): the fork copies the state
as it is, in the few milliseconds the fork takes, and the child pickles it and writes the file
while the server goes on ingesting, the way Redis saves in the background. The child touches
no SQLite at all: SQLite's locks belong to a process, so a connection opened in a forked child
can corrupt the file its parent has open. Files are written whole and renamed into place, so a
reader sees the old checkpoint or the new one, never half of one. Where processes cannot fork,
checkpoints are written only when the server stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

CAN_FORK = hasattr(os, "fork")
_SUFFIX = ".ckpt"


class Checkpoint(NamedTuple):
    """A stored checkpoint: which engine wrote it, up to which message, and the state."""

    version: str
    position: int
    message_id: str
    state: bytes


class Mark(NamedTuple):
    """Where a workspace's stored messages end: the last one's position and id."""

    position: int
    message_id: str


def folder_of(database: str) -> Path:
    """The folder of a database's checkpoints."""
    return Path(f"{database}.checkpoints")


def _file(folder: Path, workspace_id: str) -> Path:
    return folder / f"{workspace_id}{_SUFFIX}"


def save(folder: Path, workspace_id: str, version: str, at: Mark, state: bytes) -> None:
    """Write the workspace's checkpoint, unless the one there is of this version and newer."""
    found = _header(folder, workspace_id)
    if found is not None and found["version"] == version and found["position"] > at.position:
        return
    folder.mkdir(exist_ok=True)
    header = json.dumps({"version": version, "position": at.position,
                         "message_id": at.message_id}).encode() + b"\n"
    staging = folder / f".{workspace_id}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with staging.open("wb") as out:
            out.write(header)
            out.write(state)
            out.flush()
            os.fsync(out.fileno())
        os.replace(staging, _file(folder, workspace_id))
    finally:
        with contextlib.suppress(FileNotFoundError):
            staging.unlink()


def _header(folder: Path, workspace_id: str) -> dict[str, object] | None:
    """The JSON line a checkpoint file starts with, read alone: the state may be 100 MB."""
    try:
        with _file(folder, workspace_id).open("rb") as stored:
            header = json.loads(stored.readline())
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def read(folder: Path, workspace_id: str) -> Checkpoint | None:
    """The workspace's checkpoint as written, or None when there is none or it is unreadable;
    the caller checks that its last message is still stored."""
    try:
        data = _file(folder, workspace_id).read_bytes()
        line, _, state = data.partition(b"\n")
        header = json.loads(line)
        return Checkpoint(str(header["version"]), int(header["position"]),
                          str(header["message_id"]), state)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove(folder: Path, workspace_id: str | None = None) -> None:
    """Delete the checkpoint of one workspace, or of every one."""
    chosen = [_file(folder, workspace_id)] if workspace_id else folder.glob(f"*{_SUFFIX}")
    for path in chosen:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def write_forked(folder: Path, workspace_id: str, version: str, at: Mark,
                 state: Callable[[], bytes], done: Callable[[bool], None]) -> int:
    """Fork a child that computes `state()` and saves it; `done(ok)` is called in this process
    once the child has ended. Returns the child's pid.

    The caller holds the lock that guards the state, so that no other thread is half way
    through changing it when the child is made.
    """
    with warnings.catch_warnings():  # the child runs only the code below, then _exit
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: nothing here may return into the server's code
        status = 1
        try:
            import gc

            gc.disable()
            save(folder, workspace_id, version, at, state())
            status = 0
        finally:
            os._exit(status)

    def reap() -> None:
        _, code = os.waitpid(pid, 0)
        done(os.waitstatus_to_exitcode(code) == 0)

    threading.Thread(target=reap, name=f"checkpoint-{workspace_id}", daemon=True).start()
    return pid
