"""A scheduler trace as the simulator reads it, for a look before simulating it.

    jobs = dcsim.read_trace("../shared/reference/traces/philly_jobs.csv")
    jobs.gpus.value_counts()
    log = dcsim.read_trace("SDSC-SP2.swf", group="user")   # a Parallel Workloads Archive log
    log.attrs["skipped"]                                     # lines it cannot replay
"""
import pandas as pd

from . import _core


def read_trace(path, format="auto", group="none", processors_per_gpu=1, feedback=False):
    """The jobs `scheduler.trace: path` would replay, with the same options as the scenario keys
    (trace_format, trace_group, trace_processors_per_gpu, trace_feedback): a DataFrame with one
    row per job in submission order (submit_s from the first submission, duration_s, gpus,
    estimate_s: -1 when the trace gives none, group, line in the file; SWF's number, preceding and
    think_s; gradient_bytes and iteration_s: -1 when not given). `attrs` holds the layout read
    ("csv" or "swf") and how many SWF lines were skipped. Raises ValueError naming the line of the
    first problem."""
    reply = _core.read_trace(str(path), format, group, int(processors_per_gpu), bool(feedback))
    frame = pd.DataFrame(reply["columns"])
    frame.attrs["format"] = reply["format"]
    frame.attrs["skipped"] = reply["skipped"]
    return frame
