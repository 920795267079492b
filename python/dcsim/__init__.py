"""dcsim from Python: load a scenario, override keys by dotted path, run it, sweep what-ifs.

    import dcsim
    result = dcsim.run("scenarios/1024gpu.yaml", {"cluster.fabric.oversubscription": 4})
    result.jobs[["iteration_time_s", "tokens_per_s", "mfu"]]
    frame = dcsim.sweep("scenarios/1024gpu.yaml", {"cluster.fabric.oversubscription": [1, 2, 4]})

Invalid input raises ValueError carrying the CLI's ``file:line:col: key: what; expected what``
lines; a simulation that fails otherwise raises SimulationError. Every simulation runs in its own
child process (SimGrid allows one per process) with the GIL released.
"""
from ._core import SimulationError, data_directory
from ._core import version as __version__
from .collective import CollectiveResult, collective
from .plan import plan
from .result import Result
from .scenario import Scenario, load
from .sweeps import sweep
from .topology import topology
from .trace import read_trace


def run(scenario, overrides=None, *, fast_forward=True, trace=False, every_flow=False):
    """Loads `scenario` (a path, dict or Scenario) with `overrides` and simulates it.
    Returns a Result; see Scenario.run() for the options."""
    return load(scenario, overrides).run(fast_forward=fast_forward, trace=trace, every_flow=every_flow)


__all__ = ["CollectiveResult", "Result", "Scenario", "SimulationError", "collective", "data_directory",
           "load", "plan", "read_trace", "run", "sweep", "topology", "__version__"]
