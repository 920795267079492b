"""dcsim.topology: `dcsim topology --json` as a dict."""
import pytest

import dcsim
from conftest import REPO, cli_json

CLUSTER = REPO / "scenarios/1024gpu.yaml"


def test_topology_is_the_clis_analysis_and_follows_overrides(tmp_path):
    expected = cli_json("topology", CLUSTER, tmp_path=tmp_path)
    assert dcsim.topology(CLUSTER) == expected
    # 1,024 NICs of 50 GB/s: half of them to the other half at line rate on the 1:1 fabric; at
    # 4:1 the leaves' uplinks carry a quarter of that.
    assert expected["bisection_bandwidth_bytes_per_s"] == pytest.approx(512 * 50e9)
    thin = dcsim.topology(dcsim.load(CLUSTER, {"cluster.fabric.oversubscription": 4}))
    assert thin["bisection_bandwidth_bytes_per_s"] == pytest.approx(512 * 50e9 / 4, rel=0.05)
    assert thin["switches"] < expected["switches"]
    with pytest.raises(ValueError, match=r"cluster\.fabric\.routing: adaptive is modelled on fat-tree"):
        dcsim.topology(dcsim.load(REPO / "scenarios/fabric-torus.yaml", {"cluster.fabric.routing": "adaptive"}))
