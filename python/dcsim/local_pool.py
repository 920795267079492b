"""Local worker processes for sweeps that survive a worker being killed.

concurrent.futures' process pool gives up on every pending task once one worker dies
(BrokenProcessPool) and cannot say which task killed it. Here each worker has its own pipe and
runs one task at a time, so when a worker dies the parent knows exactly which task it held: that
task goes back to the queue (up to `max_attempts` tries in all) and a fresh worker takes the
dead one's place. Nothing else is disturbed.

Workers are forked, so the task function is inherited rather than pickled: lambdas and functions
defined in a notebook work. Only arguments and results cross the pipes (pickled).
"""
import collections
import multiprocessing
import pickle
import signal
from multiprocessing.connection import wait

_FORK = multiprocessing.get_context("fork")


def _serve(function, connection):
    """A worker's life: run `function` on each (index, argument) received until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        index, argument = task
        try:
            reply = pickle.dumps((index, True, function(argument)))
        except Exception as error:  # the task's failure is its result, not the worker's death
            reply = pickle.dumps((index, False, f"{type(error).__name__}: {error}"))
        connection.send_bytes(reply)


class _Worker:
    def __init__(self, function):
        self.connection, worker_end = _FORK.Pipe()
        self.process = _FORK.Process(target=_serve, args=(function, worker_end), daemon=True,
                                     name="dcsim-sweep-worker")
        self.process.start()
        worker_end.close()
        self.task = None  # index of the task it runs, None when idle

    def is_dead(self):
        return self.process.exitcode is not None

    def death_cause(self):
        self.process.join(timeout=5)  # the pipe closes a moment before the process is reaped
        code = self.process.exitcode
        if code is None:
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
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


class _Scheduler:
    """Hands tasks to idle workers and turns replies and deaths into outcomes."""

    def __init__(self, function, arguments, workers, max_attempts):
        self._function = function
        self._arguments = arguments
        self._max_attempts = max_attempts
        self._pending = collections.deque(range(len(arguments)))
        self._deaths = collections.Counter()
        self._workers = [_Worker(function) for _ in range(max(1, min(workers, len(arguments))))]
        self.remaining = len(arguments)

    def dispatch(self):
        for position, worker in enumerate(self._workers):
            if worker.task is None and worker.is_dead():  # died while idle: just replace it
                worker.stop()
                worker = self._workers[position] = _Worker(self._function)
            if worker.task is None and self._pending:
                worker.task = self._pending.popleft()
                try:
                    worker.connection.send((worker.task, self._arguments[worker.task]))
                except OSError:
                    pass  # it died meanwhile; its sentinel reports it

    def collect(self):
        """Waits for at least one reply or death; returns the finished (index, ok, value)."""
        busy = [worker for worker in self._workers if worker.task is not None]
        ready = set(wait([w.connection for w in busy] + [w.process.sentinel for w in busy]))
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
            if worker.connection in ready or worker.process.sentinel in ready:
                outcomes.extend(self._bury(position))
        self.remaining -= len(outcomes)
        return outcomes

    def _bury(self, position):
        """Replaces the dead worker; its task is retried, or reported after max_attempts deaths."""
        worker = self._workers[position]
        index, cause = worker.task, worker.death_cause()
        worker.stop()
        self._workers[position] = _Worker(self._function)
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
