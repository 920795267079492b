"""Invalid input raises ValueError with exactly the lines the CLI prints (exit status 2)."""
import re

import pytest

import dcsim
from conftest import REPO, run_cli

SCENARIO = "scenarios/1024gpu.yaml"  # relative, as a user types it: both name it the same way


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    monkeypatch.chdir(REPO)


def cli_error(*arguments):
    done = run_cli(*arguments)
    assert done.returncode == 2, done.stderr
    return done.stderr.rstrip("\n")


def test_bad_overrides_raise_the_clis_message():
    with pytest.raises(ValueError) as error:
        dcsim.load(SCENARIO, {"jobs.0.parallelism.tensor": 3, "cluster.fabric.oversubscriptoin": 2})
    expected = cli_error("validate", SCENARIO, "--set", "jobs.0.parallelism.tensor=3",
                         "--set", "cluster.fabric.oversubscriptoin=2")
    assert str(error.value) == expected
    assert "did you mean \"oversubscription\"?" in expected


def test_every_problem_is_one_line_naming_file_line_key_and_what_was_expected(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((REPO / SCENARIO).read_text()
                   .replace("precision: bf16", "precision: bf17")
                   .replace("nodes: 128", "nodes: many"))
    with pytest.raises(ValueError) as error:
        dcsim.load(bad)
    lines = str(error.value).splitlines()
    assert len(lines) == 2
    for line in lines:
        assert re.match(rf"^{re.escape(str(bad))}:\d+:\d+: [\w.]+: .+; expected .+", line), line
    assert str(error.value) == cli_error("validate", bad)


def test_malformed_yaml_matches_the_cli(tmp_path):
    bad = tmp_path / "malformed.yaml"
    bad.write_text("cluster: {nodes: 2\njobs: [\n")
    with pytest.raises(ValueError, match="malformed YAML") as error:
        dcsim.load(bad)
    assert str(error.value) == cli_error("validate", bad)


def test_a_missing_file_matches_the_cli():
    with pytest.raises(ValueError) as error:
        dcsim.load("scenarios/no-such-file.yaml")
    assert str(error.value) == cli_error("validate", "scenarios/no-such-file.yaml")


def test_a_plan_that_does_not_fit_in_memory_says_by_how_much():
    overrides = {"jobs.0.parallelism.pipeline": 1, "jobs.0.parallelism.data": 128}
    with pytest.raises(ValueError, match="memory") as error:
        dcsim.load(SCENARIO, overrides)
    assert str(error.value) == cli_error("validate", SCENARIO, "--set", "jobs.0.parallelism.pipeline=1",
                                         "--set", "jobs.0.parallelism.data=128")


def test_running_a_scenario_without_jobs_matches_dcsim_run(tmp_path):
    cluster_only = tmp_path / "cluster.yaml"
    cluster_only.write_text((REPO / SCENARIO).read_text().split("jobs:")[0])
    scenario = dcsim.load(cluster_only)  # a cluster alone is a valid Scenario (for collectives)
    with pytest.raises(ValueError, match="jobs: is missing") as error:
        scenario.run()
    assert str(error.value) == cli_error("run", cluster_only, "--quiet")


def test_dict_scenarios_name_the_key_path():
    with pytest.raises(ValueError, match=r"^<dict>:\d+:\d+: cluster.node: is missing; expected"):
        dcsim.load({"cluster": {"nodes": 2}, "jobs": []})


@pytest.mark.parametrize("python_arguments, cli_arguments", [
    (dict(op="allreduc", gpus=16), ["--op", "allreduc", "--gpus", "16"]),
    (dict(op="allreduce", gpus=16, bytes="1x"), ["--op", "allreduce", "--gpus", "16", "--bytes", "1x"]),
    (dict(op="allreduce", gpus=4096), ["--op", "allreduce", "--gpus", "4096"]),
    (dict(op="allreduce", gpus=16, algo="rign"), ["--op", "allreduce", "--gpus", "16", "--algo", "rign"]),
    (dict(op="allreduce", gpus=16, bytes="1GiB", algo="nvls", protocol="LL"),
     ["--op", "allreduce", "--gpus", "16", "--bytes", "1GiB", "--algo", "nvls", "--protocol", "LL"]),
])
def test_collective_arguments_are_checked_as_the_cli_checks_its_flags(python_arguments, cli_arguments):
    with pytest.raises(ValueError) as error:
        dcsim.collective(SCENARIO, **python_arguments)
    expected = cli_error("collective", "--cluster", SCENARIO, *cli_arguments)
    # The CLI names its flags (--max-bytes), Python its keyword arguments (max_bytes).
    expected = re.sub(r"(^|\n)--([a-z-]+):", lambda m: m.group(1) + m.group(2).replace("-", "_") + ":", expected)
    assert str(error.value) == expected
