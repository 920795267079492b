"""dcsim.plan: `dcsim plan --json` as a ranked DataFrame."""
import pytest

import dcsim
from conftest import SMALL_SCENARIO, cli_json

SPACE = dict(tensor=[1, 2, 4], pipeline=[1, 2], micro_batch=[1, 2], virtual_stages=[1, 2], recompute=["none"])


def test_the_frame_is_the_cli_json_ranked(tmp_path):
    frame = dcsim.plan(SMALL_SCENARIO, **SPACE, workers=2)
    expected = cli_json("plan", SMALL_SCENARIO, "--tensor", "1,2,4", "--pipeline", "1,2", "--micro-batch", "1,2",
                        "--virtual-stages", "1,2", "--recompute", "none", "--workers", 2, tmp_path=tmp_path)
    assert frame["plan"].tolist() == [p["plan"] for p in expected["plans"]]
    ran = frame[frame["iteration_time_s"].notna()]
    assert ran["iteration_time_s"].tolist() == [p["iteration_time_s"] for p in expected["plans"] if "iteration_time_s" in p]
    # 16 GPUs: 3 tensor x 2 pipeline splits, 2 micro-batches (2 x data divides 32), interleaving
    # only with the pipeline: 3 x (1 + 2) x 2 plans.
    assert len(frame) == 18
    assert ran["iteration_time_s"].is_monotonic_increasing
    assert frame.attrs["scenario_plan"] == "TP2 PP2 DP4 mb1 none"
    assert frame["scenario_plan"].sum() == 1


def test_each_ranked_plan_is_what_run_gives():
    frame = dcsim.plan(SMALL_SCENARIO, **SPACE, workers=2)
    best = frame.iloc[0]
    result = dcsim.run(SMALL_SCENARIO, {
        "jobs.0.parallelism.tensor": int(best["tensor"]), "jobs.0.parallelism.pipeline": int(best["pipeline"]),
        "jobs.0.parallelism.data": int(best["data"]), "jobs.0.parallelism.virtual_stages": int(best["virtual_stages"]),
        "jobs.0.parallelism.sequence_parallel": bool(best["tensor"] > 1), "jobs.0.batch.micro": int(best["micro_batch"]),
        "jobs.0.recompute": best["recompute"]})
    assert result.jobs["iteration_time_s"][0] == pytest.approx(best["iteration_time_s"], rel=1e-12)


def test_several_gpu_counts_come_fewest_first():
    frame = dcsim.plan(SMALL_SCENARIO, gpus=[8, 16], tensor=[2, 4], pipeline=[1, 2], micro_batch=[1],
                       recompute="none", workers=2)
    assert frame["gpus"].is_monotonic_increasing
    assert set(frame["gpus"]) == {8, 16}
    assert (frame["tensor"] * frame["pipeline"] * frame["data"] == frame["gpus"]).all()


@pytest.mark.parametrize("arguments, message", [
    (dict(job=1), "job: 1 is not a job of"),
    (dict(recompute="sometimes"), "recompute: \"sometimes\" is not a recompute choice"),
    (dict(tensor=[0]), "tensor: 0 is not a degree"),
    (dict(pipeline=[1.5]), "pipeline: 1.5 is not a whole number"),
])
def test_bad_arguments_raise_value_error_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        dcsim.plan(SMALL_SCENARIO, **arguments)
