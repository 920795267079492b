"""Shared fixtures: where the repository, the test scenarios and the CLI built with the module are.

The module under test is whatever `import dcsim` finds (PYTHONPATH=build/python); the CLI used as
the reference is the one built next to it (build/dcsim), from the same sources.
"""
import json
import pathlib
import subprocess

import pytest

import dcsim

REPO = pathlib.Path(__file__).resolve().parents[2]
SMALL_SCENARIO = pathlib.Path(__file__).resolve().parent / "scenarios" / "small-job.yaml"
# build/python/dcsim/__init__.py -> build/dcsim
CLI = pathlib.Path(dcsim.__file__).resolve().parents[2] / "dcsim"


def run_cli(*arguments, cwd=REPO):
    """Runs the CLI; returns the CompletedProcess (text output)."""
    return subprocess.run([str(CLI), *map(str, arguments)], cwd=cwd, capture_output=True, text=True, check=False)


def cli_json(command, *arguments, tmp_path):
    """Runs `dcsim COMMAND ARGUMENTS --json F` and returns F's content."""
    out = tmp_path / f"{command}.json"
    done = run_cli(command, *arguments, "--json", out)
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


@pytest.fixture(scope="session")
def small():
    return dcsim.load(SMALL_SCENARIO)


def pytest_report_header(config):
    return f"dcsim module: {dcsim.__file__}; reference CLI: {CLI}"


# 4 x 2 x 25 = 200 points of small-job.yaml; data = 16 / (tensor x pipeline) divides every batch.
GRID = {
    "jobs.0.parallelism.tensor": [1, 2, 4, 8],
    "jobs.0.parallelism.pipeline": [1, 2],
    "jobs.0.batch.global": [16 * k for k in range(1, 26)],
}


@pytest.fixture(scope="session")
def grid_sweep(small):
    """The 200-point sweep on 2 local workers, shared by the tests that compare with it."""
    return dcsim.sweep(small, GRID, workers=2, progress=False)
