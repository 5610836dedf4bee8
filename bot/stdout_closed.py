"""When the reader of our standard output goes away (`fangpin grade | head`)."""

from __future__ import annotations

import os
import sys

SIGPIPE_STATUS = 141  # what a shell reports for a command ended by SIGPIPE


def end_quietly() -> int:
    """The exit status after a BrokenPipeError on stdout, with no traceback and no message.

    Python would report the failed flush of stdout at exit; stdout is pointed at nothing
    instead, as its documentation advises (library/signal, "Note on SIGPIPE")."""
    drop_stdout()
    return SIGPIPE_STATUS


def drop_stdout() -> None:
    """Point standard output at nothing, after a write to it failed (a closed pipe, a full
    disk): what is still buffered would fail again at exit, with a message of Python's."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
