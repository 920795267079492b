"""A progress bar for sweeps: tqdm when it is installed, otherwise a counter on stderr."""
import sys
import time


class _StderrCounter:
    """"dcsim sweep: 37/200 points", rewritten in place at most twice a second."""

    _INTERVAL_S = 0.5

    def __init__(self, total, description):
        self._total = total
        self._description = description
        self._done = 0
        self._last_print = 0.0

    def update(self, count=1):
        self._done += count
        now = time.monotonic()
        if now - self._last_print >= self._INTERVAL_S or self._done == self._total:
            self._last_print = now
            sys.stderr.write(f"\r{self._description}: {self._done}/{self._total} points")
            sys.stderr.flush()

    def close(self):
        sys.stderr.write("\n")
        sys.stderr.flush()


class _Silent:
    def update(self, count=1):
        pass

    def close(self):
        pass


def progress_bar(total, enabled=True, description="dcsim sweep"):
    """Something with update(count) and close()."""
    if not enabled:
        return _Silent()
    try:
        from tqdm import tqdm
    except ImportError:
        return _StderrCounter(total, description)
    return tqdm(total=total, desc=description, unit="point", file=sys.stderr)
