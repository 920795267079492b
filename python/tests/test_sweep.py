"""dcsim.sweep on local worker processes: grids, lists, failed points, killed workers, progress."""
import functools
import os
import signal
import sys

import pandas
import pytest

import dcsim
from conftest import GRID, REPO, SMALL_SCENARIO


def without_wall_clock(row):
    return {key: value for key, value in row.items() if key != "wall_clock_s"}


def test_a_200_point_grid_on_2_workers_returns_200_rows_in_grid_order(grid_sweep):
    assert len(grid_sweep) == 200
    assert grid_sweep["error"].isna().all(), grid_sweep["error"].dropna().head()
    assert list(grid_sweep.columns[:3]) == list(GRID)
    assert grid_sweep.columns[-1] == "error"
    # The last key varies fastest.
    assert grid_sweep.iloc[0][list(GRID)].tolist() == [1, 1, 16]
    assert grid_sweep.iloc[1][list(GRID)].tolist() == [1, 1, 32]
    assert grid_sweep.iloc[199][list(GRID)].tolist() == [8, 2, 400]
    assert (grid_sweep["iteration_time_s"] > 0).all()


def test_each_row_holds_the_numbers_of_its_own_point(grid_sweep, small):
    for position in (0, 77, 199):
        row = grid_sweep.iloc[position]
        point = {key: int(row[key]) for key in GRID}
        expected = small.override(point).run().summary()
        actual = {key: row[key] for key in expected}
        assert without_wall_clock(actual) == without_wall_clock(expected)


def test_bigger_batches_take_longer(grid_sweep):
    for _, group in grid_sweep.groupby(["jobs.0.parallelism.tensor", "jobs.0.parallelism.pipeline"]):
        times = group.sort_values("jobs.0.batch.global")["iteration_time_s"]
        assert times.is_monotonic_increasing


def test_an_invalid_point_keeps_its_row_with_the_clis_message(small):
    points = [{"jobs.0.parallelism.tensor": 3}, {"jobs.0.parallelism.tensor": 4}]
    frame = dcsim.sweep(small, points, workers=2, progress=False)
    with pytest.raises(ValueError) as error:
        small.override(points[0])
    assert frame["error"][0] == str(error.value)
    assert pandas.isna(frame["iteration_time_s"][0])
    assert frame["error"][1] is None
    assert frame["iteration_time_s"][1] > 0


def test_a_list_of_points_may_set_different_keys(small):
    points = [{"jobs.0.batch.global": 64}, {"cluster.fabric.oversubscription": 4}]
    frame = dcsim.sweep(small, points, workers=1, progress=False)
    assert list(frame.columns[:2]) == ["jobs.0.batch.global", "cluster.fabric.oversubscription"]
    assert frame["jobs.0.batch.global"][0] == 64 and pandas.isna(frame["jobs.0.batch.global"][1])
    assert frame["error"].isna().all()


def test_metrics_add_columns_computed_on_the_worker(small):
    def cost(result):
        job = result["jobs"][0]
        return {"gpu_hours_per_1k_iterations": job["gpus"] * job["iteration_time_s"] * 1000 / 3600}

    frame = dcsim.sweep(small, {"jobs.0.batch.global": [32, 64]}, workers=2, metrics=cost, progress=False)
    expected = 16 * frame["iteration_time_s"] * 1000 / 3600
    assert frame["gpu_hours_per_1k_iterations"].tolist() == pytest.approx(expected.tolist())


def test_a_failing_metric_is_that_points_error(small):
    frame = dcsim.sweep(small, {"seed": [1, 2]}, workers=2, progress=False,
                        metrics=lambda result: {"x": 1 / (result["seed"] - 2)})
    assert frame["error"][0] is None and frame["x"][0] == -1
    assert frame["error"][1] == "ZeroDivisionError: division by zero"


def kill_worker_once(marker, result):
    """A metric that SIGKILLs its own worker process the first time any worker runs it."""
    try:
        descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return {}
    os.write(descriptor, str(os.getpid()).encode())
    os.close(descriptor)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_worker_killed_mid_sweep_loses_no_point(small, tmp_path):
    marker = tmp_path / "killed"
    points = [{"jobs.0.batch.global": 16 * k} for k in range(1, 21)]
    frame = dcsim.sweep(small, points, workers=2, progress=False,
                        metrics=functools.partial(kill_worker_once, str(marker)))
    killed_pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(killed_pid, 0)  # that worker is really gone
    assert len(frame) == 20
    assert frame["error"].isna().all()
    # Every point, the killed one included, has the numbers of an undisturbed sweep.
    undisturbed = dcsim.sweep(small, points, workers=2, progress=False)
    pandas.testing.assert_frame_equal(frame.drop(columns="wall_clock_s"), undisturbed.drop(columns="wall_clock_s"))


def kill_worker_on_seed(seed, result):
    if result["seed"] == seed:
        os.kill(os.getpid(), signal.SIGKILL)
    return {}


def test_a_point_that_always_kills_its_worker_is_reported_after_max_attempts(small):
    frame = dcsim.sweep(small, {"seed": [1, 2, 3]}, workers=2, progress=False, max_attempts=2,
                        metrics=functools.partial(kill_worker_on_seed, 2))
    assert frame["error"][1] == ("the worker process running this point was killed by SIGKILL, 2 times; "
                                 "expected a point that does not crash its worker")
    assert frame["error"][0] is None and frame["error"][2] is None
    assert frame["iteration_time_s"][0] > 0


def test_an_invalid_base_scenario_fails_before_anything_runs():
    with pytest.raises(ValueError, match="cluster"):
        dcsim.sweep({"jobs": []}, {"seed": [1]}, progress=False)


@pytest.mark.parametrize("grid, error", [
    ({"seed": 1}, TypeError), ({"seed": "12"}, TypeError), ({"seed": []}, ValueError), ([1, 2], TypeError),
])
def test_malformed_grids_are_rejected(small, grid, error):
    with pytest.raises(error):
        dcsim.sweep(small, grid, progress=False)


def test_progress_uses_tqdm(small, capfd):
    dcsim.sweep(small, {"seed": [1, 2, 3]}, workers=2)
    err = capfd.readouterr().err
    assert "dcsim sweep" in err and "3/3" in err and "point/s" in err


def test_progress_falls_back_to_a_stderr_counter_without_tqdm(small, capfd, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    dcsim.sweep(small, {"seed": [1, 2, 3]}, workers=2)
    err = capfd.readouterr().err
    assert "dcsim sweep: 3/3 points" in err
    assert "point/s" not in err


def test_an_empty_list_gives_an_empty_frame(small):
    assert len(dcsim.sweep(small, [], progress=False)) == 0


def test_a_sweep_accepts_a_path(small):
    frame = dcsim.sweep(SMALL_SCENARIO, {"seed": [1]}, workers=1, progress=False)
    assert without_wall_clock(frame.drop(columns=["seed", "error"]).iloc[0].to_dict()) == \
        without_wall_clock(small.run().summary())


def test_a_sweep_over_context_exchanges_shows_ring_attention_hiding_its_traffic():
    scenario = os.path.join(REPO, "scenarios", "long-context.yaml")
    frame = dcsim.sweep(scenario, {"jobs.0.parallelism.context_exchange": ["ring", "all_gather", "all_to_all"]},
                        workers=2, progress=False)
    exposed = frame.set_index("jobs.0.parallelism.context_exchange")["breakdown_s.context_parallel_comm"]
    assert exposed["ring"] < 0.01 * exposed["all_gather"]
    assert exposed["all_gather"] > 0 and exposed["all_to_all"] > 0
