"""A local sweep worker process: ``python -m dcsim.worker FD``, FD being its end of a socket pair.

It receives the parent's sys.path (so that modules the task refers to import here too), then the
task function (pickled, by cloudpickle when available), then (index, argument) pairs until None;
it answers each with the pickled (index, ok, value): the function's return value, or a one-line
message when it raised. The worker is a fresh interpreter rather than a fork of the parent, so it
holds dcsim and little else (every simulation forks it, which is cheap only from a small process)
and never runs the parent's __main__ script again.
"""
import pickle
import signal
import sys
from multiprocessing.connection import Connection


class _Unloadable:
    """Stands in for a task function that did not unpickle: each task fails with why."""

    def __init__(self, message):
        self._message = message

    def __call__(self, argument):
        raise RuntimeError(self._message)


def _load_task(serialised):
    try:
        return pickle.loads(serialised)
    except Exception as error:  # e.g. defined in a module this process cannot import
        return _Unloadable(f"the worker could not load the task ({type(error).__name__}: {error})")


def _answer(function, index, argument):
    try:
        return pickle.dumps((index, True, function(argument)))
    except Exception as error:  # the task's failure is its result, not the worker's death
        return pickle.dumps((index, False, f"{type(error).__name__}: {error}"))


def serve(connection):
    sys.path[:] = connection.recv()
    function = _load_task(connection.recv_bytes())
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        index, argument = task
        connection.send_bytes(_answer(function, index, argument))


def main():
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    serve(Connection(int(sys.argv[1])))


if __name__ == "__main__":
    main()
