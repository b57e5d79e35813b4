"""Sync across machines through a folder that some other tool keeps in step (Syncthing,
Dropbox, iCloud, a git repository): never the database itself, only the log.

Each device appends its own answers and events to `DIR/<device>.jsonl`, one JSON object a
line, and no other device ever writes that file, so the file sync never sees a conflict.
A sync reads every `*.jsonl` in the folder (a "conflicted copy" merges like any other),
inserts the rows whose global ids (device, seq) are new and derives their cards again, then
appends this device's rows that its file does not hold yet. Syncing twice is syncing once.

A line is taken only when it is complete: a last line without its newline, or one that is
not JSON, may still be on its way and is left for the next sync; a complete line that is
not a row of the log is reported (`file:line`) and left out. Bank text in rows is data.

With the setting `sync_on_review`, review, practice and mock sync before the queue is built
and after the session ends (`SessionSync`); there a problem is a warning, never a stop.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quiz.errors import QuizError, UsageError

if TYPE_CHECKING:
    from quiz.store import Store

SUFFIX = ".jsonl"
TAIL_BYTES = 1 << 16  # enough to hold a file's last complete line
EXPORTED = "sync_exported"  # setting: the last seq this device wrote to its file
READ = "sync_read:"  # setting per file: how far the last sync took it in (bytes, lines, hash)


@dataclass
class SyncReport:
    """What one sync did."""

    folder: Path
    device: str
    exported: int = 0  # this device's rows appended to its file
    imported: int = 0  # rows of other files that were new here
    cards: int = 0  # cards derived again
    files: int = 0  # files read
    waiting: list[str] = field(default_factory=list)  # "file:line" lines not complete yet
    bad: list[str] = field(default_factory=list)  # "file:line: what is wrong" lines left out


def sync(store: Store, folder: Path) -> SyncReport:
    """Bring the log of `store` and the sync files in `folder` in step (see the module)."""
    folder = _folder(folder)
    device = store.device_id()
    report = SyncReport(folder, device)
    rows: list[dict[str, Any]] = []
    where: list[tuple[Path, int, int]] = []  # each row's file, line and first byte
    problems: list[tuple[Path, int, str]] = []  # (file, line, what is wrong)
    files: dict[Path, _File] = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        if not path.is_file():
            continue
        report.files += 1
        files[path] = file = _read(path, store, report, problems)
        for number, start, row in file.rows:
            rows.append(row)
            where.append((path, number, start))
    report.imported, touched, bad = store.merge(rows)
    report.cards = len(touched)
    for index, what in bad:
        path, number, start = where[index]
        problems.append((path, number, what))
        files[path].stop = min(files[path].stop, start)
    report.bad = [f"{path}:{line}: {what}" if line else f"{path}: {what}"
                  for path, line, what in sorted(problems)]
    for path, file in files.items():  # next time, start after what was taken in whole
        file.remember(store, path)
    report.exported = export(store, folder, device)
    return report


class SessionSync:
    """The sync around one study session that `sync_on_review` asks for: `start` before the
    queue is built (so the other devices' answers count), `end` once the session is over,
    however it ended (quit, Ctrl-C: every answer is in the store already).

    It never stops a session: sync on but no folder set, a folder that cannot be used, or
    lines of the log left out are each one warning for `say(text, warning)`; a failed sync
    loses nothing, the next one takes the rows that did not go."""

    def __init__(self, store: Store, enabled: bool, folder: Path | None,
                 say: Callable[[str, bool], None]) -> None:
        self.store, self.enabled, self.folder, self.say = store, enabled, folder, say
        self.named: set[str] = set()  # bad lines warned of already: each once a session

    def start(self) -> None:
        """Sync before the session (or warn once that no sync folder is set)."""
        if not self.enabled:
            return
        if self.folder is None:
            self.say("sync_on_review is on but no sync folder is set (QUIZ_SYNC_DIR or "
                     "sync_dir in the config file); this session is not synced", True)
            return
        self._sync(self.folder, "the session goes on unsynced")

    def end(self) -> None:
        """Sync after the session, when `start` would have."""
        if self.enabled and self.folder is not None:
            self._sync(self.folder, "this session's answers are saved here and go with the "
                       "next sync")

    def _sync(self, folder: Path, meanwhile: str) -> None:
        try:
            done = sync(self.store, folder)
        except (QuizError, OSError) as exc:
            self.say(f"not synced: {exc}; {meanwhile}", True)
            return
        waiting = f"; {len(done.waiting)} line(s) still being copied" if done.waiting else ""
        self.say(f"Synced: {done.imported} new row(s) in, {done.exported} out{waiting}", False)
        bad = [line for line in done.bad if line not in self.named]
        self.named.update(bad)
        if bad:
            more = f" (and {len(bad) - 1} more: quiz sync lists them)" if bad[1:] else ""
            self.say(f"sync left out {bad[0]}{more}", True)


def export(store: Store, folder: Path, device: str) -> int:
    """Append this device's rows that its file lacks to `folder/<device>.jsonl`, flushed to
    the disk before the last exported seq is recorded; the number appended."""
    path = folder / f"{device}{SUFFIX}"
    try:
        with open(path, "a+b") as out:
            _lock(out)
            last = _last_seq(out, device)
            rows = store.own_rows(last)
            if rows:
                out.seek(0, os.SEEK_END)
                out.write(b"".join(_line(row) for row in rows))
                out.flush()
                os.fsync(out.fileno())
            store.set_setting(EXPORTED, str(rows[-1]["seq"] if rows else last))
    except OSError as exc:
        raise UsageError(f"cannot write the sync file {path}: {exc.strerror}") from None
    return len(rows)


def _folder(folder: Path) -> Path:
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise UsageError(f"the sync folder {folder} {what}; create it in the folder your file "
                         "sync shares, or give another with --dir or QUIZ_SYNC_DIR")
    return folder


def _line(row: dict[str, Any]) -> bytes:
    return (json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            + "\n").encode()


@dataclass
class _File:
    """One sync file as read: its rows (line number, first byte, row), the bytes up to the
    first line not taken (waiting or bad: read again next time) and how many lines they hold."""

    data: bytes
    rows: list[tuple[int, int, dict[str, Any]]]
    stop: int
    lines_before: dict[int, int]  # first byte of a line → the lines before it

    def remember(self, store: Store, path: Path) -> None:
        """Note how far the file was taken in, so that the next sync starts there."""
        stop = self.stop
        done = {"bytes": stop, "lines": self.lines_before.get(stop, 0),
                "sha256": hashlib.sha256(self.data[:stop]).hexdigest()}
        key = f"{READ}{path.name}"
        if store.setting(key) != json.dumps(done):
            store.set_setting(key, json.dumps(done))


def _read(path: Path, store: Store, report: SyncReport,
          problems: list[tuple[Path, int, str]]) -> _File:
    """The complete lines of a sync file that hold a JSON object, from where the last sync
    stopped if the file still begins with what it read then."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append((path, 0, f"cannot read it: {exc.strerror}"))
        return _File(b"", [], 0, {})
    offset, number = _resume(store, path, data)
    lines_before = {offset: number}
    found = []
    stop = None
    while offset < len(data):
        end = data.find(b"\n", offset)
        number += 1
        if end < 0:  # no newline yet: still being written or copied
            if data[offset:].strip():
                report.waiting.append(f"{path}:{number}")
                stop = offset if stop is None else stop
            break
        start, raw, offset = offset, data[offset:end], end + 1
        lines_before[offset] = number
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError:
            if offset == len(data):  # the last line: perhaps still being copied
                report.waiting.append(f"{path}:{number}")
            else:
                problems.append((path, number, "not JSON; a sync file holds one row of the "
                                 "log on each line"))
            stop = start if stop is None else stop
            continue
        if not isinstance(row, dict):
            problems.append((path, number, "not a JSON object; a sync file holds one row of "
                             "the log on each line"))
            stop = start if stop is None else stop
            continue
        found.append((number, start, row))
    return _File(data, found, len(data) if stop is None else stop, lines_before)


def _resume(store: Store, path: Path, data: bytes) -> tuple[int, int]:
    """(byte, line) to start reading `path` at: after what an earlier sync took in whole, if
    the file still begins with those bytes (an edited or re-merged file is read again)."""
    try:
        done = json.loads(store.setting(f"{READ}{path.name}") or "{}")
        stop, lines = int(done["bytes"]), int(done["lines"])
        same = (0 < stop <= len(data) and data[stop - 1:stop] == b"\n"
                and hashlib.sha256(data[:stop]).hexdigest() == done["sha256"])
    except (ValueError, TypeError, KeyError):
        return 0, 0
    return (stop, lines) if same else (0, 0)


def _lock(out: Any) -> None:
    """One export at a time per file (two syncs started at once must not interleave)."""
    try:
        import fcntl
    except ImportError:  # Windows: one sync at a time is up to the user
        return
    fcntl.flock(out.fileno(), fcntl.LOCK_EX)


def _last_seq(out: Any, device: str) -> int:
    """The seq of this device's last complete row in its own file (0 for none); a last line
    cut short by a crash is cut off first, so that the rows are written again whole."""
    out.seek(0, os.SEEK_END)
    size = out.tell()
    start = max(0, size - TAIL_BYTES)
    out.seek(start)
    tail = out.read()
    end = tail.rfind(b"\n")
    if end + 1 != len(tail):  # a torn last line (or the file is all one torn line)
        keep = start + end + 1 if end >= 0 else (0 if start == 0 else None)
        if keep is None:
            return _scan_seq(out, device, torn=True)
        out.truncate(keep)
        out.flush()
        os.fsync(out.fileno())
        tail = tail[:end + 1]
    for raw in reversed(tail.split(b"\n")):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except ValueError:
            break
        if isinstance(row, dict) and row.get("device") == device and type(row.get("seq")) is int:
            return row["seq"]
        break
    return _scan_seq(out, device)


def _scan_seq(out: Any, device: str, torn: bool = False) -> int:
    """The highest seq of this device in the whole file (a file edited by hand, or merged
    by git in another order); with `torn`, the torn last line is cut off first."""
    out.seek(0)
    data = out.read()
    if torn:
        data = data[:data.rfind(b"\n") + 1]
        out.truncate(len(data))
    highest = 0
    for raw in data.split(b"\n"):
        try:
            row = json.loads(raw)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("device") == device and type(row.get("seq")) is int:
            highest = max(highest, row["seq"])
    return highest
