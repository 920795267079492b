"""Local worker processes for sweeps that survive a worker being killed.

concurrent.futures' process pool gives up on every pending task once one worker dies
(BrokenProcessPool) and cannot say which task killed it. Here each worker (worker_process.py)
has its own socket and runs one task at a time, so when a worker dies the parent knows exactly
which task it held: that task goes back to the queue (up to `max_attempts` tries in all) and a
fresh worker takes the dead one's place. Nothing else is disturbed.
"""
import collections
from multiprocessing.connection import wait

from .worker_process import WorkerProcess, death_message, serialise


class _Scheduler:
    """Hands tasks to idle workers and turns replies and deaths into outcomes."""

    def __init__(self, function, arguments, workers, max_attempts):
        self._task = serialise(function)
        self._arguments = arguments
        self._max_attempts = max_attempts
        self._pending = collections.deque(range(len(arguments)))
        self._deaths = collections.Counter()
        self._workers = [WorkerProcess(self._task) for _ in range(max(1, min(workers, len(arguments))))]
        self.remaining = len(arguments)

    def dispatch(self):
        for position, worker in enumerate(self._workers):
            if worker.task is None and worker.is_dead():  # died while idle: just replace it
                worker.stop()
                worker = self._workers[position] = WorkerProcess(self._task)
            if worker.task is None and self._pending:
                index = self._pending.popleft()
                worker.submit(index, self._arguments[index])

    def collect(self):
        """Waits for at least one reply or death; returns the finished (index, ok, value)."""
        busy = [worker for worker in self._workers if worker.task is not None]
        ready = set(wait([waitable for worker in busy for waitable in worker.waitables()]))
        outcomes = []
        for position, worker in enumerate(self._workers):
            if worker.task is None:
                continue
            if worker.connection in ready:
                try:
                    outcomes.append(worker.receive())
                    continue
                except (EOFError, OSError):
                    pass  # closed without a reply: the worker died
            if worker.connection in ready or worker.sentinel in ready:
                outcomes.extend(self._bury(position))
        self.remaining -= len(outcomes)
        return outcomes

    def _bury(self, position):
        """Replaces the dead worker; its task is retried, or reported after max_attempts deaths."""
        worker = self._workers[position]
        index, cause = worker.task, worker.death_cause()
        worker.stop()
        self._workers[position] = WorkerProcess(self._task)
        self._deaths[index] += 1
        if self._deaths[index] < self._max_attempts:
            self._pending.appendleft(index)
            return []
        return [(index, False, death_message(cause, self._deaths[index]))]

    def close(self):
        for worker in self._workers:
            worker.stop()


def run_local(function, arguments, workers, max_attempts=3):
    """Yields (index, ok, value) for every argument, in completion order: ok with function's
    return value, or not ok with a one-line message (the exception, or how its worker died)."""
    if not arguments:
        return
    scheduler = _Scheduler(function, arguments, workers, max_attempts)
    try:
        while scheduler.remaining:
            scheduler.dispatch()
            yield from scheduler.collect()
    finally:
        scheduler.close()
