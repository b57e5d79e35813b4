"""The few exception classes of quiz; the CLI alone turns them into messages and exit codes."""

from __future__ import annotations

import errno


class QuizError(Exception):
    """Base class: a problem the user can act on (exit code 1)."""

    exit_code = 1


class UsageError(QuizError):
    """Bad input on the command line (exit code 2)."""

    exit_code = 2


class BankError(QuizError):
    """One or more problems in YAML banks; each is `file:line: message`."""

    exit_code = 2

    def __init__(self, problems: list[tuple[str, int, str]]) -> None:
        self.problems = sorted(problems, key=lambda p: (p[0], p[1]))
        super().__init__("\n".join(f"{path}:{line}: {msg}" for path, line, msg in self.problems))


class StoreError(QuizError):
    """The database cannot be opened, read or written."""


class AnswerFormatError(ValueError):
    """A typed numeric answer could not be read; `reason` says why, in zh and en."""

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        super().__init__(reason_en)


def os_reason(exc: OSError) -> str:
    """An OSError as a short, plain reason ("permission denied"), without Python's wording."""
    reasons = {
        errno.ENOENT: "no such file or folder",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENAMETOOLONG: "the name is too long for the file system",
        errno.ELOOP: "too many levels of symbolic links",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder",
    }
    return reasons.get(exc.errno, (exc.strerror or str(exc)).lower())
