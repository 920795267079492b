"""Overrides by dotted key path, written as the CLI's ``--set KEY=VALUE`` arguments.

The C++ loader applies ``KEY=VALUE`` texts to the parsed YAML tree before it checks the scenario,
so an override is checked exactly like the file and its errors name it (``--set KEY=VALUE: ...``).
A Python value is therefore turned into the YAML text a user would type after ``--set``: strings
as they are (``"400Gb/s"``, ``"models/llama3-70b.yaml"``), numbers and booleans in YAML spelling,
lists and dicts in flow style.
"""
import json
import numbers


def _plain(value):
    """Python value for a NumPy or other scalar that json cannot write (np.int64(4) -> 4)."""
    if isinstance(value, (str, bool, int, float, type(None), list, tuple, dict)):
        return value
    if hasattr(value, "item"):  # NumPy scalars, 0-d arrays
        return value.item()
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} as a scenario value; "
                    "expected a string, number, boolean, None, list or dict")


def yaml_value(value):
    """The YAML text for one override value, as typed after ``--set KEY=``."""
    value = _plain(value)
    if value == "":
        return '""'  # typed bare it would be YAML's null, i.e. "use the default"
    if isinstance(value, str):
        return value
    return json.dumps(value, default=_plain)  # JSON is valid YAML flow style


def to_set_arguments(overrides):
    """``{"jobs.0.parallelism.tensor": 4}`` -> ``["jobs.0.parallelism.tensor=4"]``."""
    arguments = []
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise TypeError(f"override key {key!r} is not a string; expected a dotted path such as "
                            "'jobs.0.parallelism.tensor'")
        arguments.append(f"{key}={yaml_value(value)}")
    return arguments


def scenario_text(mapping):
    """YAML text for a scenario given as a dict (JSON is a subset of YAML)."""
    return json.dumps(mapping, indent=1, default=_plain)
