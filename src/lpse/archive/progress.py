"""A progress bar for long runs on a terminal (``lpse backup``, ``lpse restore``): one line
redrawn in place, at most ten times a second; on a pipe or a log, a line every 10 %."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


class Bar:
    def __init__(self, stream: TextIO | None = None, *, bytes_: bool = True):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.bytes = bytes_
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_tenth = -1

    def __call__(self, what: str, done: int, total: int) -> None:
        if total <= 0:
            return
        fraction = min(done / total, 1.0)
        now = time.monotonic()
        if self.tty:
            if now - self.last_draw < 0.1 and done < total:
                return
            self.last_draw = now
            filled = int(fraction * 30)
            amount = f"{_human(done)}/{_human(total)}" if self.bytes else f"{done}/{total}"
            rate = done / max(now - self.started, 1e-6)
            speed = f" {_human(rate)}/s" if self.bytes else ""
            self.stream.write(
                f"\r{what:<9} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {amount}{speed}  "
            )
            if done >= total:
                self.stream.write("\n")
        else:
            tenth = int(fraction * 10)
            if tenth > self.last_tenth:
                self.last_tenth = tenth
                self.stream.write(f"{what}: {fraction:.0%}\n")
        self.stream.flush()

    def count(self, done: int, total: int) -> None:
        self("pieces", done, total)
