"""One collective on a scenario's cluster, like ``dcsim collective`` and nccl-tests' *_perf.

    table = dcsim.collective("scenarios/1024gpu.yaml", "allreduce", gpus=64,
                             min_bytes="1MiB", max_bytes="1GiB").to_frame()

Runs over the cluster's first `gpus` GPUs (8 per node, node after node) for one size or every
power of two from `min_bytes` (default 8 B) to `max_bytes` (default 8 GiB), or by `step_factor` /
`step_bytes`, in whole elements of `datatype` as nccl-tests runs them. Jobs in the scenario
are ignored. Invalid arguments raise ValueError naming the argument, as the CLI names its flags.
"""
from . import _core
from .scenario import load


class CollectiveResult:
    """The measurements: ``to_dict()`` is what ``dcsim collective --json`` writes; ``to_frame()``
    one row per size (bytes, count, time_s, algbw_GBps, busbw_GBps, algorithm, protocol; channels
    where the profile models NCCL's)."""

    def __init__(self, data):
        self._data = data

    @property
    def op(self):
        return self._data["op"]

    @property
    def gpus(self):
        return self._data["gpus"]

    def to_dict(self):
        return {**self._data, "results": [dict(row) for row in self._data["results"]]}

    def to_frame(self):
        import pandas
        return pandas.DataFrame(self._data["results"])

    def __repr__(self):
        return f"<dcsim.CollectiveResult {self.op} on {self.gpus} GPUs, {len(self._data['results'])} sizes>"


def _size_text(size):
    """A size as the loader's unit parser reads it: 1048576 -> "1048576", "1MiB" stays."""
    if size is None:
        return ""
    if isinstance(size, str):
        return size
    return str(int(size)) if float(size).is_integer() else repr(float(size))


def collective(scenario, op, gpus, *, bytes=None, min_bytes=None, max_bytes=None, algo=None, protocol=None,
               datatype=None, step_factor=None, step_bytes=None, gpus_per_node=None):
    """Simulates `op` (allreduce, allgather, reducescatter, alltoall, broadcast, reduce, sendrecv)
    over the first `gpus` GPUs of `scenario`'s cluster (a path, dict or Scenario).
    `algo` / `protocol` force the choice the tuner would make (ring, tree, ...; LL, LL128, Simple).
    `datatype` is nccl-tests' -d (float by default; sizes round down to whole elements, per rank
    for allgather, reducescatter and alltoall); `step_factor` / `step_bytes` its -f / -i.
    `gpus_per_node` places the ranks that many on each node in turn (as `mpirun -N K` does;
    default every GPU of a node): 1 runs one rank per node, as a data-parallel group does."""
    scenario = load(scenario)
    if not isinstance(op, str):
        raise TypeError(f"op: {op!r} is not a string; expected allreduce, allgather, reducescatter, alltoall, "
                        "broadcast, reduce or sendrecv")
    if isinstance(gpus, bool) or not float(gpus).is_integer():
        raise ValueError(f"gpus: {gpus!r} is not a whole number of GPUs; expected an integer")
    gpus = int(gpus)
    if gpus_per_node is not None and (isinstance(gpus_per_node, bool) or not float(gpus_per_node).is_integer()
                                      or not 1 <= gpus_per_node < 2**31):
        raise ValueError(f"gpus_per_node: {gpus_per_node!r} is not a GPU count of a node; expected a whole number >= 1")
    if not -2**31 <= gpus < 2**31:  # beyond C++'s int: say what the CLI says, not a binding error
        raise ValueError(f"gpus: {gpus} GPUs is not available; expected 1 to the cluster's GPUs")
    data = _core.collective(scenario.text, scenario.name, scenario.set_arguments(), op, gpus,
                            _size_text(bytes), _size_text(min_bytes), _size_text(max_bytes),
                            algo or "", protocol or "", datatype or "",
                            "" if step_factor is None else str(step_factor), _size_text(step_bytes),
                            0 if gpus_per_node is None else int(gpus_per_node))
    return CollectiveResult(data)
