"""dcsim.read_trace: a trace as the scheduler reads it."""
import pytest

import dcsim
from conftest import REPO


def test_philly_reads_as_the_scheduler_replays_it():
    jobs = dcsim.read_trace(REPO / ".." / "shared" / "reference" / "traces" / "philly_jobs.csv")
    assert len(jobs) == 82247 and jobs.attrs["format"] == "csv" and jobs.attrs["skipped"] == 0
    assert jobs.submit_s.iloc[0] == 0 and jobs.submit_s.is_monotonic_increasing
    assert jobs.group.nunique() == 15  # Philly's virtual clusters
    assert (jobs.estimate_s == -1).all()  # no estimates: EASY plans with the durations
    # The trace averages 374 busy GPUs over its span (scenarios/scheduler-philly.yaml says so).
    span_s = (jobs.submit_s + jobs.duration_s).max()
    assert (jobs.gpus * jobs.duration_s).sum() / span_s == pytest.approx(374, abs=1)


def test_an_swf_log_with_its_groups_estimates_and_feedback(tmp_path):
    log = tmp_path / "site.swf"
    log.write_text("; Computer: test\n"
                   "1 10 -1 100 8 -1 -1 8 200 -1 1 3 1 -1 1 -1 -1 -1\n"
                   "2 20 -1 -1 -1 -1 -1 4 60 -1 5 4 1 -1 1 -1 -1 -1\n"
                   "3 30 -1 50 -1 -1 -1 6 -1 -1 1 3 1 -1 2 -1 1 20\n")
    jobs = dcsim.read_trace(log, group="user", processors_per_gpu=4)
    assert jobs.attrs == {"format": "swf", "skipped": 1}
    assert jobs.submit_s.tolist() == [0, 20]
    assert jobs.gpus.tolist() == [2, 2]  # 8 and 6 processors, 4 to a GPU, rounded up
    assert jobs.estimate_s.tolist() == [200, -1]
    assert jobs.group.tolist() == ["user3", "user3"]
    assert jobs[["number", "preceding", "think_s"]].values.tolist() == [[1, -1, -1], [3, 1, 20]]


def test_bad_traces_and_options_raise_one_line_value_errors(tmp_path):
    bad = tmp_path / "bad.swf"
    bad.write_text("1 0 -1 x 2 -1 -1 2 -1 -1 1 1 1 -1 1 -1 -1 -1\n")
    with pytest.raises(ValueError, match=r"line 1: field 4 \(run time\) \"x\" is not a number"):
        dcsim.read_trace(bad)
    with pytest.raises(ValueError, match="cannot read"):
        dcsim.read_trace(tmp_path / "missing.csv")
    with pytest.raises(ValueError, match=r"group: \"users\" is not one; expected"):
        dcsim.read_trace(bad, group="users")
    with pytest.raises(ValueError, match="processors_per_gpu"):
        dcsim.read_trace(bad, processors_per_gpu=0)
