// A job's NCCL_ALGO / NCCL_PROTO (jobs[].nccl): NCCL's syntax read into per-operation choices,
// the ring fallback for calls the allowed algorithms cannot run, and the effect on a run checked
// against the same run with the fabric's capability switched off instead.
#include "collectives/nccl_settings.hpp"

#include "support/collective_harness.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <stdexcept>

using dcsim::CollectiveKind;
using dcsim::NcclSettings;
using dcsim::Protocol;
using Names = std::vector<std::string>;

namespace {

NcclSettings algo(const std::string& value)
{
  NcclSettings settings;
  dcsim::parse_nccl_algo(value, settings);
  return settings;
}

NcclSettings proto(const std::string& value)
{
  NcclSettings settings;
  dcsim::parse_nccl_proto(value, settings);
  return settings;
}

std::string algo_error(const std::string& value)
{
  try {
    algo(value);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST_CASE("nccl settings: NCCL_ALGO lists, exclusions and per-operation lists", "[collectives][nccl]")
{
  const NcclSettings ring = algo("Ring");
  for (auto kind : {CollectiveKind::AllReduce, CollectiveKind::AllGather, CollectiveKind::ReduceScatter,
                    CollectiveKind::Broadcast, CollectiveKind::Reduce}) {
    CHECK(ring.for_kind(kind).algorithms == Names{"ring"});
    CHECK(ring.for_kind(kind).fall_back_to_ring);
  }
  // Point-to-point operations are not NCCL_ALGO's (nccl-tests#246).
  CHECK_FALSE(ring.for_kind(CollectiveKind::AllToAll).restricts());
  CHECK_FALSE(ring.for_kind(CollectiveKind::SendRecv).restricts());

  // '^' leaves names out of what NCCL chooses from unasked (not halving_doubling/hierarchical).
  CHECK(algo("^nvls").for_kind(CollectiveKind::AllReduce).algorithms == Names{"ring", "tree", "collnet"});
  CHECK(algo("^CollnetDirect, nvls").for_kind(CollectiveKind::AllReduce).algorithms == Names{"ring", "tree"});
  CHECK(algo("TREE,ring").for_kind(CollectiveKind::AllReduce).algorithms == Names{"ring", "tree"});
  CHECK(algo("hierarchical").for_kind(CollectiveKind::AllReduce).algorithms == Names{"hierarchical"});

  const NcclSettings per_op = algo("allreduce:tree; allgather:ring,nvls");
  CHECK(per_op.for_kind(CollectiveKind::AllReduce).algorithms == Names{"tree"});
  CHECK(per_op.for_kind(CollectiveKind::AllGather).algorithms == Names{"ring", "nvls"});
  CHECK_FALSE(per_op.for_kind(CollectiveKind::ReduceScatter).restricts());
  CHECK(per_op.restricts());
  CHECK_FALSE(NcclSettings{}.restricts());
}

TEST_CASE("nccl settings: NCCL_PROTO", "[collectives][nccl]")
{
  using Protocols = std::vector<Protocol>;
  CHECK(proto("simple").for_kind(CollectiveKind::AllGather).protocols == Protocols{Protocol::Simple});
  CHECK(proto("^LL").for_kind(CollectiveKind::AllReduce).protocols == Protocols{Protocol::LL128, Protocol::Simple});
  CHECK(proto("reducescatter:LL128").for_kind(CollectiveKind::ReduceScatter).protocols ==
        Protocols{Protocol::LL128});
  CHECK_FALSE(proto("reducescatter:LL128").for_kind(CollectiveKind::AllReduce).restricts());
  CHECK_THROWS_WITH(proto("LL256"), Catch::Contains("unknown protocol \"LL256\"") && Catch::Contains("ll, ll128, simple"));
  CHECK_THROWS_WITH(proto("^ll,ll128,simple"), Catch::Contains("leaves no protocol"));
}

TEST_CASE("nccl settings: what cannot be read is named, with what is expected", "[collectives][nccl]")
{
  CHECK_THAT(algo_error("rign"), Catch::Contains("unknown algorithm \"rign\"") && Catch::Contains("ring, tree"));
  CHECK_THAT(algo_error("NVLSTree"), Catch::Contains("\"NVLSTree\" is an NCCL algorithm dcsim does not model"));
  CHECK_THAT(algo_error("^pat"), Catch::Contains("\"pat\" is an NCCL algorithm dcsim does not model"));
  CHECK_THAT(algo_error(" "), Catch::Contains("is empty"));
  CHECK_THAT(algo_error("ring,"), Catch::Contains("an empty name"));
  CHECK_THAT(algo_error("^ring,tree,nvls,collnet"), Catch::Contains("leaves no algorithm"));
  CHECK_THAT(algo_error("alltoall:ring"), Catch::Contains("names no operation") && Catch::Contains("point-to-point"));
  CHECK_THAT(algo_error("allreduce:ring;tree"), Catch::Contains("\"tree\" names no operation"));
}

TEST_CASE("nccl settings: a call the allowed algorithms cannot run falls back to the ring with the allowed protocols",
          "[collectives][nccl]")
{
  const dcsim::ClusterConfig cluster = dcsim::test::h100_test_cluster(4);
  dcsim::CollectiveOverride tree{{"tree"}, {Protocol::LL128}, true};
  // Tree runs only all-reduce, broadcast and reduce: NCCL 2.22+ runs an all-gather on the ring,
  // keeping NCCL_PROTO (nccl#1304).
  const auto gather = dcsim::test::isolated_sweep(cluster, CollectiveKind::AllGather, 32, {1 << 20}, tree).at(0);
  CHECK(gather.algorithm == "ring");
  CHECK(gather.protocol == Protocol::LL128);
  const dcsim::CollectiveOverride ring{{"ring"}, {Protocol::LL128}};
  const auto on_ring = dcsim::test::isolated_sweep(cluster, CollectiveKind::AllGather, 32, {1 << 20}, ring).at(0);
  CHECK(gather.time_s == Approx(on_ring.time_s).epsilon(1e-12));
  // An all-reduce over four nodes is tree's own.
  CHECK(dcsim::test::isolated_sweep(cluster, CollectiveKind::AllReduce, 32, {1 << 20}, tree).at(0).algorithm == "tree");
  // Forced (dcsim collective --algo tree), the mismatch is an error.
  tree.fall_back_to_ring = false;
  CHECK_THROWS_WITH(dcsim::test::isolated_sweep(cluster, CollectiveKind::AllGather, 32, {1 << 20}, tree),
                    Catch::Contains("algorithm tree cannot run allgather over 32 GPUs with protocol LL128"));
}

TEST_CASE("nccl settings: a job's choices steer its collectives, and only those", "[collectives][nccl][engine]")
{
  // fabric-sharp.yaml: data-parallel all-reduces on CollNet (SHARP); the one tensor-parallel
  // all-reduce (8 KiB, the vocabulary-parallel loss) on ring/LL, where NCCL's model puts it
  // (collectives/nccl_nvls_choice.hpp), not NVLS.
  const auto uses = [](const nlohmann::json& result) {
    std::map<std::string, std::string> out; // purpose/op -> algorithm/protocol
    for (const auto& u : result["jobs"][0]["collectives"])
      out[u["purpose"].get<std::string>() + "/" + u["op"].get<std::string>()] =
          u["algorithm"].get<std::string>() + "/" + u["protocol"].get<std::string>();
    return out;
  };
  const auto time = [](const nlohmann::json& result) { return result["jobs"][0]["iteration_time_s"].get<double>(); };
  const std::string scenario = "scenarios/fabric-sharp.yaml";
  const nlohmann::json base = dcsim::test::run_scenario(scenario);
  CHECK(uses(base)["data_parallel/allreduce"] == "collnet/Simple");
  CHECK(uses(base)["tensor_parallel/allreduce"] == "ring/LL");

  // Leaving CollNet out is the same run as a fabric whose switches do not reduce: the restriction
  // and the platform's capability reach the tuner by different paths and must agree exactly.
  const nlohmann::json no_collnet = dcsim::test::run_scenario(scenario, {"jobs.0.nccl.algo=^collnet"});
  const nlohmann::json no_sharp = dcsim::test::run_scenario(scenario, {"cluster.fabric.in_network_reduction=false"});
  CHECK(uses(no_collnet) == uses(no_sharp));
  CHECK(time(no_collnet) == Approx(time(no_sharp)).epsilon(1e-12));
  CHECK(time(no_collnet) > time(base) * 1.01);

  // Ring everywhere: every tuned operation on the ring; pipeline sends keep their algorithm.
  const nlohmann::json ring = dcsim::test::run_scenario(scenario, {"jobs.0.nccl.algo=ring"});
  for (const auto& [what, choice] : uses(ring))
    CHECK(choice.rfind(what.find("sendrecv") != std::string::npos ? "direct/" : "ring/", 0) == 0);
  // Without CollNet every tuned collective of this job runs on the ring already.
  CHECK(uses(ring) == uses(no_collnet));
  CHECK(time(ring) == Approx(time(no_collnet)).epsilon(1e-12));

  // NCCL_PROTO=LL: the 25%-efficient protocol on every tuned operation.
  const nlohmann::json ll = dcsim::test::run_scenario(scenario, {"jobs.0.nccl.proto=LL"});
  for (const auto& [what, choice] : uses(ll))
    if (what.find("sendrecv") == std::string::npos)
      CHECK(choice == "ring/LL");
}

TEST_CASE("nccl settings: a bad value is one line naming the file, line and key", "[collectives][nccl][config]")
{
  std::string text = dcsim::test::slurp(dcsim::test::repo_path("scenarios/fabric-sharp.yaml"));
  const auto at = text.find("    iterations: 10");
  REQUIRE(at != std::string::npos);
  text.insert(at, "    nccl: {algo: NVLSTree}\n");
  const std::string error = dcsim::test::load_error(text);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
  CHECK_THAT(error, Catch::Contains(":" + std::to_string(line) + ":") && Catch::Contains("nccl.algo") &&
                        Catch::Contains("\"NVLSTree\" is an NCCL algorithm dcsim does not model"));
  CHECK(error.find('\n') == std::string::npos);
  CHECK_THAT(dcsim::test::load_error(text.replace(at, 27, "    nccl: {algorithm: ring}\n")),
             Catch::Contains("nccl.algorithm") && Catch::Contains("algo"));
}
