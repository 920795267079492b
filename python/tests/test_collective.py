"""dcsim.collective: `dcsim collective --json` as a dict and a DataFrame."""
import pytest

import dcsim
from conftest import REPO, cli_json

CLUSTER = REPO / "scenarios/1024gpu.yaml"


def test_a_size_sweep_matches_the_cli(tmp_path):
    expected = cli_json("collective", "--cluster", CLUSTER, "--op", "allreduce", "--gpus", 64,
                        "--min-bytes", "1MiB", "--max-bytes", "256MiB", tmp_path=tmp_path)
    result = dcsim.collective(CLUSTER, "allreduce", 64, min_bytes="1MiB", max_bytes="256MiB")
    assert result.to_dict() == expected
    assert len(expected["results"]) == 9  # 1, 2, 4, ..., 256 MiB


def test_the_frame_has_one_row_per_size_with_nccl_tests_columns():
    frame = dcsim.collective(CLUSTER, "allgather", 16, min_bytes=2**20, max_bytes=2**24).to_frame()
    assert list(frame["bytes"]) == [2.0**k for k in range(20, 25)]
    assert {"time_s", "algbw_GBps", "busbw_GBps", "algorithm", "protocol"} <= set(frame.columns)
    # nccl-tests: all-gather busbw = algbw x (n-1)/n, algbw = bytes / time.
    assert frame["busbw_GBps"].tolist() == pytest.approx((frame["algbw_GBps"] * 15 / 16).tolist())
    assert frame["algbw_GBps"].tolist() == pytest.approx((frame["bytes"] / frame["time_s"] / 1e9).tolist())


def test_a_forced_algorithm_and_protocol_are_used(tmp_path):
    result = dcsim.collective(CLUSTER, "allreduce", 16, bytes="64MiB", algo="ring", protocol="Simple")
    row = result.to_frame().iloc[0]
    assert (row["algorithm"], row["protocol"], row["bytes"]) == ("ring", "Simple", 2**26)
    expected = cli_json("collective", "--cluster", CLUSTER, "--op", "allreduce", "--gpus", 16, "--bytes", "64MiB",
                        "--algo", "ring", "--protocol", "Simple", tmp_path=tmp_path)
    assert result.to_dict() == expected


def test_overrides_apply_to_the_cluster():
    # 256 GPUs (32 nodes) span several leaves, so most of an all-to-all's traffic crosses the
    # leaf uplinks, and 4:1 oversubscription leaves them a quarter of the NICs' bandwidth.
    plain = dcsim.collective(CLUSTER, "alltoall", 256, bytes="256MiB").to_frame()["time_s"][0]
    scenario = dcsim.load(CLUSTER, {"cluster.fabric.oversubscription": 4})
    slower = dcsim.collective(scenario, "alltoall", 256, bytes="256MiB").to_frame()["time_s"][0]
    assert slower > 2 * plain


def test_one_gpu_is_a_device_copy_and_out_of_range_counts_are_value_errors():
    # One rank copies the buffer through HBM: 2 x 1 GiB at 3.35 TB/s x 0.85, plus the 2.5 us gap.
    frame = dcsim.collective(CLUSTER, "allreduce", 1, bytes="1GiB").to_frame()
    assert frame["time_s"][0] == pytest.approx(2 * 2**30 / (3.35e12 * 0.85) + 2.5e-6, rel=0.01)
    assert frame["busbw_GBps"][0] == 0
    with pytest.raises(ValueError, match=r"^gpus: 1000000000000 GPUs is not available"):
        dcsim.collective(CLUSTER, "allreduce", 10**12, bytes="1MiB")
    with pytest.raises(ValueError, match=r"larger than any GPU's memory"):
        dcsim.collective(CLUSTER, "allreduce", 8, bytes=1e30)


def test_datatype_and_steps_are_nccl_tests_flags(tmp_path):
    # -d bfloat16 -i 1MiB: 1-3 MiB in 1 MiB steps, counted in 2-byte elements; same times as float.
    result = dcsim.collective(CLUSTER, "allreduce", 8, min_bytes="1MiB", max_bytes="3MiB", step_bytes="1MiB",
                              datatype="bfloat16")
    expected = cli_json("collective", "--cluster", CLUSTER, "--op", "allreduce", "--gpus", 8, "-b", "1MiB",
                        "-e", "3MiB", "-i", "1MiB", "-d", "bfloat16", tmp_path=tmp_path)
    assert result.to_dict() == expected
    frame = result.to_frame()
    assert list(frame["bytes"]) == [2.0**20, 2.0**21, 3 * 2.0**20]
    assert list(frame["count"]) == [2.0**19, 2.0**20, 3 * 2.0**19]
    as_float = dcsim.collective(CLUSTER, "allreduce", 8, min_bytes="1MiB", max_bytes="3MiB", step_bytes=2**20)
    assert list(as_float.to_frame()["time_s"]) == pytest.approx(list(frame["time_s"]), rel=1e-12)
    assert len(dcsim.collective(CLUSTER, "allreduce", 8, min_bytes=8, max_bytes=8 * 10**6, step_factor=10).to_frame()) == 7
    with pytest.raises(ValueError, match=r"^datatype: unknown value \"fp32\""):
        dcsim.collective(CLUSTER, "allreduce", 8, bytes="1MiB", datatype="fp32")


def test_a_fractional_gpu_count_or_a_non_string_op_is_refused_not_truncated():
    with pytest.raises(ValueError, match=r"^gpus: 8.5 is not a whole number of GPUs"):
        dcsim.collective(CLUSTER, "allreduce", 8.5, bytes=1024)
    with pytest.raises(TypeError, match=r"^op: None is not a string"):
        dcsim.collective(CLUSTER, None, 8, bytes=1024)
    assert dcsim.collective(CLUSTER, "allreduce", 8.0, bytes=1024).gpus == 8


def test_gpus_per_node_places_ranks_like_mpirun_and_matches_the_cli(tmp_path):
    # One rank on each of 16 nodes, SHARP switches: the tuner takes CollNet (each NIC carries
    # the buffer once each way), whose busbw is about twice the ring's.
    sharp = dcsim.load(CLUSTER, {"cluster.fabric.in_network_reduction": True})
    result = dcsim.collective(sharp, "allreduce", 16, bytes="1GiB", gpus_per_node=1)
    expected = cli_json("collective", "--cluster", CLUSTER, "--set", "cluster.fabric.in_network_reduction=true",
                        "--op", "allreduce", "--gpus", 16, "--bytes", "1GiB", "--gpus-per-node", 1, tmp_path=tmp_path)
    assert result.to_dict() == expected
    row = result.to_frame().iloc[0]
    assert row["algorithm"] == "collnet"
    ring = dcsim.collective(CLUSTER, "allreduce", 16, bytes="1GiB", gpus_per_node=1).to_frame().iloc[0]
    assert row["busbw_GBps"] == pytest.approx(2 * 15 / 16 * ring["busbw_GBps"], rel=0.03)
    with pytest.raises(ValueError, match=r"^gpus_per_node: 16 GPUs do not split into nodes of 3"):
        dcsim.collective(CLUSTER, "allreduce", 16, bytes="1GiB", gpus_per_node=3)
    with pytest.raises(ValueError, match=r"^gpus_per_node: 0 is not a GPU count of a node"):
        dcsim.collective(CLUSTER, "allreduce", 16, bytes="1GiB", gpus_per_node=0)


def test_nvls_runs_in_a_hopper_node_where_nccls_model_puts_it_above_the_ring():
    # NCCL's tuning model (sim/collectives/nccl_nvls_choice.hpp): on H100/H200 NVLS busbw 306 GB/s
    # on 4 GPUs against the ring's 360, 408 on 5: the ring on 4, NVLS from 5, as an H200 node ran.
    picks = {n: dcsim.collective(CLUSTER, "allreduce", n, bytes="8GiB").to_frame()["algorithm"][0] for n in (4, 5, 8)}
    assert picks == {4: "ring", 5: "nvls", 8: "nvls"}
    # Asked for by name, NVLS still runs on 4 (NCCL_ALGO=NVLS).
    assert dcsim.collective(CLUSTER, "allreduce", 4, bytes="8GiB", algo="nvls").to_frame()["algorithm"][0] == "nvls"
