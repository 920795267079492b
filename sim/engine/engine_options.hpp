// The SimGrid engine every dcsim simulation runs on, with the options that make results correct
// and fast at scale (see ../shared/spec/simgrid-notes.md). One per process (isolation.hpp).
#pragma once

#include <simgrid/s4u/Engine.hpp>

#include <memory>

namespace dcsim {

/// Owns the engine without destroying it. SimGrid 3.32 cannot run a second engine in one process
/// (its clock carries over), so each simulation runs in a process of its own and ends with it;
/// tearing the engine down first (0.2 s at 16K GPUs: every host, link and zone freed one by one)
/// would buy nothing.
struct KeepEngine {
  void operator()(simgrid::s4u::Engine* /*engine*/) const {}
};
using EngineHandle = std::unique_ptr<simgrid::s4u::Engine, KeepEngine>;

EngineHandle make_engine();

} // namespace dcsim
