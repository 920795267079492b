"""Local worker processes for sweeps that survive a worker being killed.

concurrent.futures' process pool gives up on every pending task once one worker dies
(BrokenProcessPool) and cannot say which task killed it. Here each worker has its own socket and
runs one task at a time, so when a worker dies the parent knows exactly which task it held: that
task goes back to the queue (up to `max_attempts` tries in all) and a fresh worker takes the
dead one's place. Nothing else is disturbed.

Workers are fresh interpreters running dcsim.worker, not forks of the caller. Every simulation
forks its worker (one SimGrid engine per process), and forking is cheap only from a small
process: from a process holding pandas each run cost more than twice as much (measured: 25 ms vs
57 ms per run of scenarios/memory-recompute.yaml). multiprocessing's spawn and forkserver would
also be lean, but they run the caller's __main__ script again in every worker. The task function
is serialised with cloudpickle when it is installed (it comes with Dask), so lambdas and
functions defined in a notebook work too.
"""
import collections
import os
import pickle
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection, wait

# The directory holding the dcsim package, so that workers import this very copy.
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _serialise(function):
    try:
        import cloudpickle
    except ImportError:
        return pickle.dumps(function)
    return cloudpickle.dumps(function)


def _worker_environment():
    paths = [_PACKAGE_PARENT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def _exit_sentinel(pid):
    """A descriptor that becomes readable when the process ends (Linux pidfd), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # then a death shows as the socket closing


class _Worker:
    def __init__(self, serialised_task):
        parent_end, worker_end = socket.socketpair()
        with worker_end:
            self.process = subprocess.Popen([sys.executable, "-m", "dcsim.worker", str(worker_end.fileno())],
                                            pass_fds=[worker_end.fileno()], env=_worker_environment())
        self.connection = Connection(parent_end.detach())
        self.sentinel = _exit_sentinel(self.process.pid)
        self.task = None  # index of the task it runs, None when idle
        try:
            self.connection.send(sys.path)
            self.connection.send_bytes(serialised_task)
        except OSError:
            pass  # it died at once; the next wait() reports it

    def waitables(self):
        return [self.connection] + ([self.sentinel] if self.sentinel is not None else [])

    def is_dead(self):
        return self.process.poll() is not None

    def death_cause(self):
        try:
            code = self.process.wait(timeout=5)  # the socket may close a moment before the exit
        except subprocess.TimeoutExpired:
            return "stopped answering"
        if code < 0:
            try:
                return f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"was killed by signal {-code}"
        return f"exited with status {code}"

    def stop(self):
        try:
            self.connection.send(None)
        except OSError:
            pass
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.connection.close()
        if self.sentinel is not None:
            os.close(self.sentinel)


class _Scheduler:
    """Hands tasks to idle workers and turns replies and deaths into outcomes."""

    def __init__(self, function, arguments, workers, max_attempts):
        self._task = _serialise(function)
        self._arguments = arguments
        self._max_attempts = max_attempts
        self._pending = collections.deque(range(len(arguments)))
        self._deaths = collections.Counter()
        self._workers = [_Worker(self._task) for _ in range(max(1, min(workers, len(arguments))))]
        self.remaining = len(arguments)

    def dispatch(self):
        for position, worker in enumerate(self._workers):
            if worker.task is None and worker.is_dead():  # died while idle: just replace it
                worker.stop()
                worker = self._workers[position] = _Worker(self._task)
            if worker.task is None and self._pending:
                worker.task = self._pending.popleft()
                try:
                    worker.connection.send((worker.task, self._arguments[worker.task]))
                except OSError:
                    pass  # it died meanwhile; its sentinel reports it

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
                    outcomes.append(pickle.loads(worker.connection.recv_bytes()))
                    worker.task = None
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
        self._workers[position] = _Worker(self._task)
        self._deaths[index] += 1
        if self._deaths[index] < self._max_attempts:
            self._pending.appendleft(index)
            return []
        return [(index, False, f"the worker process running this point {cause}, "
                               f"{self._deaths[index]} times; expected a point that does not crash its worker")]

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
