"""The fastest parallel plan of one job, like ``dcsim plan``.

    frame = dcsim.plan("scenarios/1024gpu.yaml", tensor=[4, 8], pipeline=[8, 16])
    frame.head()                       # ranked: the fastest plan that fits first
    frame[frame["rejected"].notna()]   # the plans the scenario checker refused, and why

Every tensor x pipeline x context x data split of the job's GPUs (tensor up to the NVLink domain,
pipeline up to the layers, context as the scenario has it, by default), with each expert-parallel
degree (default the scenario's), micro-batch size, interleaving depth and recompute choice, is
checked like a scenario (memory included), and each that passes is simulated alone on the cluster
in a process of its own (of the plans of one split that fit, the one that recomputes least).
"""
import os

from . import _core
from .scenario import load


def _ints(name, values):
    if values is None:
        return []
    if isinstance(values, (int, float)) and not isinstance(values, bool):
        values = [values]
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise ValueError(f"{name}: {v!r} is not a whole number; expected degrees such as [1, 2, 4, 8]")
        out.append(int(v))
    return out


def plan(scenario, job=0, *, gpus=None, tensor=None, pipeline=None, context=None, expert=None, micro_batch=None,
         virtual_stages=None, recompute=None, zero=None, workers=None, every_plan=False):
    """Tries the plans of job `job` of `scenario` (a path, dict or Scenario) and returns a pandas
    DataFrame, one row per plan: ranked by iteration time, then those not simulated because a
    plan of the same split that recomputes less fits too (``skipped`` says which; `every_plan`
    simulates them as well), then the rejected ones with their reason in ``rejected``.

    Columns: plan, gpus, tensor, pipeline, data, context, expert, micro_batch, virtual_stages,
    recompute, zero, sequence_parallel, iteration_time_s, tokens_per_s, mfu, memory_per_gpu_bytes,
    exposed_comm_s, pipeline_bubble_s, joules_per_token, usd_per_million_tokens (with the
    scenario's `cost`), skipped, rejected, scenario_plan (True on the scenario's own plan).

    Lists left None take the CLI's defaults; `workers` simulations run at a time (default: one
    per core). `gpus` lists job sizes to try (strong scaling; default the job's): rows then go by
    GPU count, fewest first, each count ranked on its own. Raises ValueError for an invalid
    scenario or argument."""
    import pandas

    scenario = load(scenario)
    if isinstance(recompute, str):
        recompute = [recompute]
    data = _core.plan(scenario.text, scenario.name, scenario.set_arguments(), int(job), _ints("gpus", gpus),
                      _ints("tensor", tensor), _ints("pipeline", pipeline), _ints("context", context),
                      _ints("expert", expert), _ints("micro_batch", micro_batch),
                      _ints("virtual_stages", virtual_stages), list(recompute or []), _ints("zero", zero),
                      workers or len(os.sched_getaffinity(0)), bool(every_plan))
    frame = pandas.DataFrame(data["plans"])
    for column in ("skipped", "rejected"):
        if column not in frame:
            frame[column] = None
    frame["scenario_plan"] = frame["plan"] == data["scenario_plan"]
    frame.attrs.update({"job": data["job"], "gpus": data["gpus"], "scenario_plan": data["scenario_plan"]})
    return frame
