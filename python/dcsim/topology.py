"""A scenario's fabric analysed, like ``dcsim topology --json``: no simulation runs.

    info = dcsim.topology("scenarios/1024gpu.yaml")
    info["bisection_bandwidth_bytes_per_s"], info["switches"], info["description"]

Keys: description, gpus, nodes, nics, switches, vertices_by_kind, links, links_by_kind,
bisection_bandwidth_bytes_per_s (max-flow between the two halves of the NICs, per direction),
diameter_hops, average_hops, ecmp_paths {min, mean, max} (equal-cost paths between leaf
switches), routes_checked, routes_not_shortest, leaf_blocks and pods (how topology-aware
placement groups the nodes). Use it in sweeps of fabric keys to compare what each costs in
switches against what it leaves of the bisection. An invalid scenario raises ValueError.
"""
from . import _core
from .scenario import load


def topology(scenario):
    """The analysis of `scenario`'s fabric (a path, dict or Scenario) as a dict."""
    scenario = load(scenario)
    return _core.topology(scenario.text, scenario.name, scenario.set_arguments())
