"""Scenario: a scenario file, dict or YAML text, plus overrides by dotted key path.

    base = dcsim.load("scenarios/1024gpu.yaml")
    slow = base.override({"cluster.fabric.oversubscription": 4})
    result = slow.run()

A Scenario is immutable, checked when it is made (ValueError with the CLI's
``file:line:col: key: what; expected what`` lines) and picklable: it holds the YAML text, the name
that stands for its file in error messages and the overrides, so it travels to sweep workers and
Dask clusters as plain data. Model files it names (``models/gpt3-175b.yaml``) are looked up next
to the scenario file, in the working directory, then in dcsim's data directory.
"""
import os

from . import _core
from .overrides import scenario_text, to_set_arguments
from .result import Result


class Scenario:
    """A scenario and its overrides. Use :func:`load` or the ``from_*`` constructors."""

    def __init__(self, text, name, overrides=None, *, validate=True):
        """`text`: the YAML; `name`: what error messages call the file; `overrides`: dotted key ->
        value. `validate`: check now (raises ValueError listing every problem)."""
        self._text = text
        self._name = name
        self._overrides = dict(overrides or {})
        self._summary = self._describe() if validate else None

    @classmethod
    def from_file(cls, path, overrides=None):
        """Reads the file (errors name it as given, like the CLI's)."""
        path = os.fspath(path)
        arguments = to_set_arguments(dict(overrides or {}))
        summary = _core.describe_file(path, arguments)  # the CLI's message if the file is unreadable
        with open(path, encoding="utf-8") as file:
            scenario = cls(file.read(), path, overrides, validate=False)
        scenario._summary = summary
        return scenario

    @classmethod
    def from_dict(cls, mapping, overrides=None, name="<dict>"):
        """A scenario written as nested dicts and lists, with the keys of docs/scenarios.md."""
        return cls(scenario_text(mapping), name, overrides)

    @classmethod
    def from_text(cls, text, overrides=None, name="<text>"):
        return cls(text, name, overrides)

    @property
    def name(self):
        """What error messages call the scenario's file (the path as given, or <dict>)."""
        return self._name

    @property
    def text(self):
        """The scenario's YAML before overrides."""
        return self._text

    @property
    def overrides(self):
        """A copy of the overrides, dotted key -> value, in the order they apply."""
        return dict(self._overrides)

    def override(self, overrides, *, validate=True):
        """A new Scenario with `overrides` (dotted key -> value) applied after this one's.
        `validate=False` defers the check to run() (a sweep's worker loads each point once)."""
        merged = dict(self._overrides)
        merged.update(overrides or {})
        return Scenario(self._text, self._name, merged, validate=validate)

    def describe(self):
        """The loaded scenario in brief: name, seed, nodes, gpus, gpu and jobs (degrees)."""
        if self._summary is None:
            self._summary = self._describe()
        return self._summary

    def run(self, *, fast_forward=True, trace=False, every_flow=False):
        """Simulates the scenario in a child process (the GIL is released meanwhile).

        `fast_forward`: skip steady-state iterations as the CLI does (False simulates every one).
        `trace`: also keep the Chrome/Perfetto trace (Result.trace). `every_flow`: simulate every
        flow of collective phases nobody disturbs too (the CLI's --every-flow; slower, the same
        answer). Raises ValueError for an invalid scenario, SimulationError when the simulation
        itself failed.
        """
        data, trace_events = _core.run(self._text, self._name, self.set_arguments(), fast_forward, trace,
                                       every_flow)
        return Result(data, trace_events)

    def set_arguments(self):
        """The overrides as the CLI's ``--set`` arguments (``["key=value", ...]``)."""
        return to_set_arguments(self._overrides)

    def _describe(self):
        return _core.describe(self._text, self._name, self.set_arguments())

    def __eq__(self, other):
        return (isinstance(other, Scenario) and (self._text, self._name, self._overrides)
                == (other._text, other._name, other._overrides))

    def __hash__(self):
        return hash((self._text, self._name, tuple(self.set_arguments())))

    def __getstate__(self):
        return {"text": self._text, "name": self._name, "overrides": self._overrides}

    def __setstate__(self, state):
        # Unpickled on a sweep worker: already checked where it was made, not checked again.
        self._text, self._name, self._overrides = state["text"], state["name"], state["overrides"]
        self._summary = None

    def __repr__(self):
        changes = "".join(f", {key}={value!r}" for key, value in self._overrides.items())
        return f"<dcsim.Scenario {self._name}{changes}>"


def load(source, overrides=None):
    """A Scenario from a file path, a dict or a Scenario, with `overrides` (dotted key -> value)
    applied. Raises ValueError listing every problem, as ``dcsim validate`` prints them."""
    if isinstance(source, Scenario):
        return source.override(overrides) if overrides else source
    if isinstance(source, dict):
        return Scenario.from_dict(source, overrides)
    if isinstance(source, (str, os.PathLike)):
        return Scenario.from_file(source, overrides)
    raise TypeError(f"cannot load a scenario from {type(source).__name__}; "
                    "expected a file path, a dict or a dcsim.Scenario")
