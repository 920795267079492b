"""dcsim.sweep on a Dask cluster (LocalCluster, 2 worker processes): same rows as local workers,
and a process killed mid-sweep (a point's helper, or a Dask worker) loses no point."""
import os
import signal

import pandas
import pytest

import dcsim
from conftest import GRID

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=":0")  # any free port
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def test_the_200_point_sweep_on_dask_gives_identical_numbers(small, grid_sweep, client):
    frame = dcsim.sweep(small, GRID, client=client, progress=False)
    assert len(frame) == 200
    assert frame["error"].isna().all()
    pandas.testing.assert_frame_equal(frame.drop(columns="wall_clock_s"), grid_sweep.drop(columns="wall_clock_s"))


# Each Dask task runs its point in a small helper process whose parent is the Dask worker process.
@pytest.mark.parametrize("victim", ["helper", "dask worker"])
def test_a_process_killed_mid_sweep_loses_no_point(small, client, tmp_path, victim):
    marker = str(tmp_path / "killed")

    def kill_once(result):  # a closure: shipped by value
        try:
            descriptor = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return {}
        pid = os.getpid() if victim == "helper" else os.getppid()
        os.write(descriptor, str(pid).encode())
        os.close(descriptor)
        os.kill(pid, signal.SIGKILL)

    points = [{"jobs.0.batch.global": 16 * k} for k in range(1, 11)]
    frame = dcsim.sweep(small, points, client=client, metrics=kill_once, progress=False)
    with pytest.raises(ProcessLookupError):
        os.kill(int(open(marker).read()), 0)  # it is really gone
    assert len(frame) == 10
    assert frame["error"].isna().all(), frame["error"].dropna()
    undisturbed = dcsim.sweep(small, points, client=client, progress=False)
    pandas.testing.assert_frame_equal(frame.drop(columns="wall_clock_s"), undisturbed.drop(columns="wall_clock_s"))


def test_a_failed_point_keeps_its_row_on_dask(small, client):
    frame = dcsim.sweep(small, [{"jobs.0.parallelism.tensor": 3}, {}], client=client, progress=False)
    with pytest.raises(ValueError) as error:
        small.override({"jobs.0.parallelism.tensor": 3})
    assert frame["error"][0] == str(error.value)
    assert frame["error"][1] is None
