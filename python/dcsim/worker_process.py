"""The parent's handle on one dcsim.worker process (see worker.py for the other end).

Sweeps run their points in these small processes, locally (local_pool.py) and on Dask workers
(dask_runner.py): every simulation forks the process that runs it (one SimGrid engine per
process), and forking is cheap only from a small process. Measured on scenarios/
memory-recompute.yaml: 25 ms per run from a process holding only dcsim, 57 ms from one holding
pandas; python/tests/scenarios/small-job.yaml: 38 ms vs 83-103 ms in a Dask worker process.
A worker is a fresh interpreter, not a fork of the caller (multiprocessing's spawn and
forkserver would also be lean, but they run the caller's __main__ script again).

The task function is serialised with cloudpickle when it is installed (it comes with Dask), so
lambdas and functions defined in a notebook work too.
"""
import os
import pickle
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection

# The directory holding the dcsim package, so that workers import this very copy.
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def serialise(function):
    """The task function as bytes a worker can load."""
    try:
        import cloudpickle
    except ImportError:
        return pickle.dumps(function)
    return cloudpickle.dumps(function)


def death_message(cause, deaths):
    """A point's error once the process running it died `deaths` times."""
    return (f"the worker process running this point {cause}, {deaths} times; "
            "expected a point that does not crash its worker")


def _environment():
    paths = [_PACKAGE_PARENT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def _exit_sentinel(pid):
    """A descriptor that becomes readable when the process ends (Linux pidfd), or None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None  # then a death shows as the socket closing


class WorkerProcess:
    """One worker running one serialised task function on the arguments it is sent."""

    def __init__(self, serialised_task):
        parent_end, worker_end = socket.socketpair()
        with worker_end:
            self.process = subprocess.Popen([sys.executable, "-m", "dcsim.worker", str(worker_end.fileno())],
                                            pass_fds=[worker_end.fileno()], env=_environment())
        self.serialised_task = serialised_task
        self.connection = Connection(parent_end.detach())
        self.sentinel = _exit_sentinel(self.process.pid)
        self.task = None  # index of the argument it is working on, None when idle
        try:
            self.connection.send(sys.path)  # so that the modules the task refers to import there too
            self.connection.send_bytes(serialised_task)
        except OSError:
            pass  # it died at once; receive() or the sentinel reports it

    def submit(self, index, argument):
        """Starts work on `argument`. A worker that died meanwhile shows in receive()/sentinel."""
        self.task = index
        try:
            self.connection.send((index, argument))
        except OSError:
            pass

    def receive(self):
        """Waits for the reply: (index, ok, value). @raise EOFError or OSError if the worker died."""
        reply = pickle.loads(self.connection.recv_bytes())
        self.task = None
        return reply

    def waitables(self):
        """What multiprocessing.connection.wait() should watch for a reply or a death."""
        return [self.connection] + ([self.sentinel] if self.sentinel is not None else [])

    def is_dead(self):
        return self.process.poll() is not None

    def death_cause(self):
        """How it ended, e.g. "was killed by SIGKILL"."""
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
        """Ends the worker: politely when idle, at once when it is busy (an interrupted sweep)."""
        if self.task is None:
            try:
                self.connection.send(None)
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.connection.close()
        if self.sentinel is not None:
            os.close(self.sentinel)
