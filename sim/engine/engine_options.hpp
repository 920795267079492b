// The SimGrid engine every dcsim simulation runs on, with the options that make results correct
// and fast at scale (see ../shared/spec/simgrid-notes.md). One per process (isolation.hpp).
#pragma once

#include <simgrid/s4u/Engine.hpp>

#include <memory>

namespace dcsim {

std::unique_ptr<simgrid::s4u::Engine> make_engine();

} // namespace dcsim
