"""dcsim.load / Scenario: loading from files, dicts and text, overrides by dotted path, pickling."""
import pathlib
import pickle

import numpy
import pytest
import yaml

import dcsim
from conftest import REPO, SMALL_SCENARIO


def test_load_file_reads_the_scenario_and_its_model_file():
    summary = dcsim.load(REPO / "scenarios/1024gpu.yaml").describe()
    # scenarios/1024gpu.yaml: 128 nodes x 8 H100s, one job TP8 PP8 DP16.
    assert summary["name"] == "gpt3-175b-1024-h100"
    assert (summary["nodes"], summary["gpus"], summary["gpu"]) == (128, 1024, "H100-SXM-80GB")
    assert summary["jobs"] == [{"name": "gpt3-175b", "gpus": 1024, "tensor": 8, "pipeline": 8, "data": 16}]


def test_model_files_named_in_a_dict_resolve_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not next to a scenario file, not in the repository: the data directory
    mapping = yaml.safe_load(SMALL_SCENARIO.read_text())
    mapping["jobs"][0]["model"] = "models/llama3-8b.yaml"
    mapping["jobs"][0]["parallelism"] = {"tensor": 8, "pipeline": 2}
    assert (pathlib.Path(dcsim.data_directory()) / "models/llama3-8b.yaml").is_file()
    assert dcsim.load(mapping).describe()["jobs"][0]["tensor"] == 8


def test_a_dict_loads_like_the_same_yaml_file():
    mapping = yaml.safe_load(SMALL_SCENARIO.read_text())
    from_dict = dcsim.load(mapping)
    assert from_dict.name == "<dict>"
    assert from_dict.describe() == dcsim.load(SMALL_SCENARIO).describe()


def test_text_loads_with_the_name_used_in_errors():
    text = SMALL_SCENARIO.read_text()
    assert dcsim.Scenario.from_text(text, name="inline.yaml").describe()["jobs"][0]["name"] == "gpt-1.3b"
    with pytest.raises(ValueError, match=r"^inline.yaml:\d+:\d+: jobs.0.precision: unknown value"):
        dcsim.Scenario.from_text(text.replace("iterations: 3", "precision: fp9"), name="inline.yaml")


def test_errors_in_overrides_point_at_the_override(small):
    with pytest.raises(ValueError, match=r"^--set jobs.0.gpus=twelve: jobs.0.gpus: .*; expected an integer"):
        small.override({"jobs.0.gpus": "twelve"})


def test_override_changes_the_loaded_values_and_leaves_the_original_alone(small):
    # data is not given in the file: 16 GPUs / (tensor 4 x pipeline 2) = 2.
    wider = small.override({"jobs.0.parallelism.tensor": 4})
    assert wider.describe()["jobs"][0] == {"name": "gpt-1.3b", "gpus": 16, "tensor": 4, "pipeline": 2, "data": 2}
    assert small.describe()["jobs"][0]["tensor"] == 2
    assert small.overrides == {}
    assert wider.overrides == {"jobs.0.parallelism.tensor": 4}


def test_overrides_accumulate_and_later_ones_win(small):
    scenario = small.override({"jobs.0.parallelism.tensor": 4}).override(
        {"jobs.0.parallelism.tensor": 8, "jobs.0.parallelism.pipeline": 1})
    assert scenario.describe()["jobs"][0]["tensor"] == 8
    assert scenario.describe()["jobs"][0]["data"] == 2
    assert scenario.set_arguments() == ["jobs.0.parallelism.tensor=8", "jobs.0.parallelism.pipeline=1"]


def test_load_applies_overrides_given_with_the_source():
    assert dcsim.load(SMALL_SCENARIO, {"cluster.nodes": 4}).describe()["gpus"] == 32


@pytest.mark.parametrize("value, text", [
    (4, "4"), (numpy.int64(4), "4"), (2.5, "2.5"), (numpy.float32(0.5), "0.5"), (True, "true"), (None, "null"),
    ("400Gb/s", "400Gb/s"), ("", '""'), ([1, 2], "[1, 2]"), ({"preset": "llama3-8b"}, '{"preset": "llama3-8b"}'),
])
def test_override_values_are_written_as_after_set(small, value, text):
    assert small.override({"k": value}, validate=False).set_arguments() == [f"k={text}"]


def test_override_values_can_be_whole_sections(small):
    model = {"preset": "llama3-8b", "seq_len": 2048}
    scenario = small.override({"jobs.0.model": model, "jobs.0.parallelism.tensor": 8,
                               "jobs.0.parallelism.pipeline": 1})
    assert scenario.describe()["jobs"][0]["tensor"] == 8


def test_a_scenario_survives_pickling_with_its_overrides(small):
    scenario = small.override({"jobs.0.batch.global": 64})
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario
    assert copy.overrides == {"jobs.0.batch.global": 64}
    assert copy.describe() == scenario.describe()


def test_unsupported_sources_are_type_errors():
    with pytest.raises(TypeError, match="expected a file path, a dict or a dcsim.Scenario"):
        dcsim.load(42)
    with pytest.raises(TypeError, match="expected a dotted path"):
        dcsim.load(SMALL_SCENARIO, {1: 2})
