"""A command for tests/preloaded/test_preloaded.py: prints what its process sees as JSON, then does
what ``argv`` asks (exit with a status, raise, start a grandchild and wait)."""

import json
import os
import subprocess
import sys
import time

import tests.preloaded.probe_state as state


def main(argv: list[str]) -> int:
    seen = {
        "pid": os.getpid(),
        "pgid": os.getpgid(0),
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "argv": sys.argv[1:],
        "name": __name__,
        "imported_at_start": state.IMPORTED_IN,
        "stdin": sys.stdin.read(),
    }
    print(json.dumps(seen), flush=True)
    print("to stderr", file=sys.stderr, flush=True)
    if argv[:1] == ["exit"]:
        return int(argv[1])
    if argv[:1] == ["raise"]:
        raise ValueError("the probe raised")
    if argv[:1] == ["grandchild"]:  # a grandchild in the same process group, until it is killed
        sleeper = "import time; print('grandchild', flush=True); time.sleep(600)"
        child = subprocess.Popen([sys.executable, "-c", sleeper])
        print(f"grandchild {child.pid}", flush=True)
        child.wait()
        time.sleep(600)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
