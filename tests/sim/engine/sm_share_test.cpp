// engine/sm_share: the GPU's host shared by weight between kernels and the SMs a collective
// holds, checked against the rates worked by hand.
#include "engine/isolation.hpp"
#include "engine/sm_share.hpp"
#include "platform/platform.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/NetZone.hpp>

namespace sg4 = simgrid::s4u;

namespace {

/// Runs `kernels_s` of kernels from t = 0 on one GPU host while a collective holds SMs from
/// `hold_from_s` to `hold_until_s`; returns {end of the kernels, what run_kernels reported}.
std::pair<double, double> kernels_beside_a_collective(const dcsim::SmShare& share, double kernels_s, double hold_from_s,
                                                      double hold_until_s)
{
  const nlohmann::json r = dcsim::run_isolated([&] {
    int argc = 2;
    const char* argv[] = {"test", "--log=root.thresh:critical", nullptr};
    sg4::Engine engine(&argc, const_cast<char**>(argv));
    auto* zone = sg4::create_full_zone("node");
    sg4::Host* gpu = zone->create_host("gpu0", dcsim::Platform::kWorkPerSecond);
    zone->seal();
    double end = 0, took = 0;
    sg4::Actor::create("kernels", gpu, [&] {
      took = dcsim::run_kernels(kernels_s, share);
      end = sg4::Engine::get_clock();
    });
    sg4::Actor::create("collective", gpu, [&] {
      sg4::this_actor::sleep_until(hold_from_s);
      dcsim::HeldSms held(share);
      sg4::this_actor::sleep_until(hold_until_s);
    });
    engine.run();
    return nlohmann::json{{"end", end}, {"took", took}};
  });
  return {r["end"].get<double>(), r["took"].get<double>()};
}

} // namespace

TEST_CASE("engine::SmShare: kernels run on the SMs a collective leaves them while it runs", "[engine]")
{
  const auto share = dcsim::SmShare::of(132, 20);
  CHECK(share.compute_weight == 112);
  CHECK(share.comm_weight == 20);
  SECTION("held from 2 s to 6 s: 4 s at 112/132, the rest at full speed")
  {
    // By 6 s the kernels did 2 + 4 x 112/132 s of their 10 s; the other 4 x 20/132 s follow.
    const auto [end, took] = kernels_beside_a_collective(share, 10, 2, 6);
    CHECK(end == Approx(10 + 4 * 20.0 / 132).epsilon(1e-9));
    CHECK(took == Approx(end).epsilon(1e-12));
  }
  SECTION("a collective that outlasts the kernels slows all of them")
  {
    const auto [end, took] = kernels_beside_a_collective(share, 10, 0, 100);
    CHECK(end == Approx(10 * 132.0 / 112).epsilon(1e-9));
  }
  SECTION("no SMs held: the collective changes nothing")
  {
    const auto [end, took] = kernels_beside_a_collective(dcsim::SmShare::of(132, 0), 10, 2, 6);
    CHECK(end == Approx(10).epsilon(1e-12));
  }
}

TEST_CASE("engine::SmShare: at least one SM stays with the kernels", "[engine]")
{
  const auto most = dcsim::SmShare::of(132, 500);
  CHECK(most.compute_weight == 1);
  CHECK(most.comm_weight == 131);
  const auto none = dcsim::SmShare::of(108, -3);
  CHECK(none.compute_weight == 108);
  CHECK(none.comm_weight == 0);
}
