"""Run a module as ``python -m`` would, and stop the process (SIGSTOP) the moment its console
output has a line that matches a pattern: the crash tests then kill it exactly there.

    python -m tests.e2e.stop_at_line <regex> <module> <args>...

Killing a run when its console shows a line races the run itself: between the line and the kill it
goes on (a raw step that logs its row count as its last act can finish, and the run is then dead
*between* steps, not in one). Here the process stops itself inside the write of that line, so the
kill (tests/e2e/crash_harness.py) finds it where the line was written. Only this process stops: a
dbt subprocess goes on until the kill reaches its process group, still inside the dbt step.
"""

import os
import re
import runpy
import signal
import sys
from typing import TextIO


class StopAtLine:
    """A text stream that passes everything on and stops the process after writing a matching line."""

    def __init__(self, stream: TextIO, pattern: re.Pattern[str]) -> None:
        self._stream, self._pattern, self._pending = stream, pattern, ""

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        if any(self._pattern.search(line) for line in lines):
            self._stream.flush()
            os.kill(os.getpid(), signal.SIGSTOP)
        return written

    def __getattr__(self, name: str):  # flush, fileno, encoding, isatty, ...
        return getattr(self._stream, name)


def main(argv: list[str]) -> None:
    pattern, module, *args = argv
    compiled = re.compile(pattern)
    sys.stdout = StopAtLine(sys.stdout, compiled)  # type: ignore[assignment]
    sys.stderr = StopAtLine(sys.stderr, compiled)  # type: ignore[assignment]
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
