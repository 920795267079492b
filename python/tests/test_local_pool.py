"""The local worker pool under dcsim.sweep: outcomes, task errors, and stopping early."""
import os
import pathlib
import time

from dcsim.local_pool import run_local


def worker_pids():
    """This process's dcsim.worker children, from /proc."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"dcsim.worker" in command:
            pids.append(int(entry.name))
    return pids


def test_every_argument_gets_exactly_one_outcome():
    outcomes = sorted(run_local(lambda x: x * x, list(range(10)), workers=2))
    assert outcomes == [(i, True, i * i) for i in range(10)]
    assert worker_pids() == []


def test_an_exception_is_its_tasks_outcome_not_the_workers_death():
    outcomes = {index: (ok, value) for index, ok, value in run_local(lambda x: 1 // x, [0, 1, 0], workers=1)}
    assert outcomes == {0: (False, "ZeroDivisionError: integer division or modulo by zero"), 1: (True, 1),
                        2: (False, "ZeroDivisionError: integer division or modulo by zero")}


def test_stopping_early_ends_busy_workers_at_once():
    outcomes = run_local(lambda seconds: time.sleep(seconds) or seconds, [0, 60, 60], workers=2)
    assert next(outcomes) == (0, True, 0)
    assert len(worker_pids()) == 2
    start = time.monotonic()
    outcomes.close()  # what an exception or Ctrl-C in the caller's loop does
    assert time.monotonic() - start < 5
    assert worker_pids() == []
