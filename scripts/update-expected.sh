#!/usr/bin/env bash
# Regenerates scenarios/*.expected (the golden results tests/scenarios_test.cpp compares against)
# after an intended change to the models. Review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
for scenario in scenarios/*.yaml; do
  out="${scenario%.yaml}.expected"
  ./build/dcsim run "$scenario" --quiet --json /tmp/dcsim-expected.json
  /usr/bin/python3 - "$out" <<'PY'
import json, sys
r = json.load(open("/tmp/dcsim-expected.json"))
keep = ["iteration_time_s", "mfu", "memory_per_gpu_bytes", "queue_s", "start_time_s", "end_time_s", "goodput"]
nested = [("energy", "facility_j"), ("cost", "total_usd")]  # compared as JSON pointers
golden = {"jobs": [{"name": j["name"], **{k: j[k] for k in keep},
                    **{f"{a}/{b}": j[a][b] for a, b in nested}} for j in r["jobs"]]}
if "scheduler" in r:
    golden["scheduler"] = {k: r["scheduler"][k] for k in ["jobs", "mean_queue_s", "makespan_s", "gpu_utilization",
                                                        "preemptions", "preemption_lost_gpu_hours", "trace_failures",
                                                        "failure_lost_gpu_hours", "trace_traffic_runs", "trace_slowed_jobs",
                                                        "trace_contention_gpu_hours", "switch_held_jobs", "switch_expired_jobs"]
                           if k in r["scheduler"]}
json.dump(golden, open(sys.argv[1], "w"), indent=2)
open(sys.argv[1], "a").write("\n")
PY
  echo "wrote $out"
done
