#include "engine/engine_options.hpp"

#include "collectives/fabric_occupancy.hpp"

namespace dcsim {

/// Options set before any zone exists: plain max-min sharing (CM02), no reverse-path cross
/// traffic, no TCP window cap, and no stack guard pages (needed above ~32K actors).
EngineHandle make_engine()
{
  static int argc = 8;
  static const char* argv[] = {"dcsim",
                               "--cfg=network/model:CM02",
                               "--cfg=network/crosstraffic:0",
                               "--cfg=network/TCP-gamma:0",
                               "--cfg=contexts/guard-size:0",
                               "--cfg=contexts/stack-size:256",
                               "--log=root.thresh:critical",
                               "--log=xbt_cfg.thresh:critical",
                               nullptr};
  FabricOccupancy::current().reset();
  return EngineHandle(new simgrid::s4u::Engine(&argc, const_cast<char**>(argv)));
}

} // namespace dcsim
