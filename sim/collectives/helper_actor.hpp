// Helper actors: the short-lived actors that carry a collective's flows (comm_plan.cpp) or a
// steady load (steady_load.cpp).
#pragma once

#include <simgrid/s4u/Actor.hpp>

#include <string>

namespace dcsim {

/// Helper actors run a few SimGrid calls and nothing deep: a small stack, so that thousands of them
/// cost little to create and destroy. SimGrid 3.32's Actor::set_stacksize() takes KiB, like the
/// contexts/stack-size option (this was 64 * 1024, i.e. 64 MiB per helper: every helper's end
/// unmapped 64 MiB, a third of a 768-GPU interleaved run's time). No guard page protects it
/// (contexts/guard-size:0 for scale), so stay well above what the helpers use: with a guard page,
/// every test and the bench runs pass on 8 KiB stacks and crash on 4 KiB (measured 2026-11-29);
/// 32 KiB leaves 4x that. Each stack is zeroed when its actor starts: 128 KiB stacks made that a
/// sixth of a 65,536-GPU run (18.0-18.7 s; 14.8-16.8 s at 32 KiB).
template <typename F>
simgrid::s4u::ActorPtr helper_actor(const std::string& name, simgrid::s4u::Host* host, F code)
{
  constexpr unsigned kHelperStackKiB = 32;
  return simgrid::s4u::Actor::init(name, host)->set_stacksize(kHelperStackKiB)->start(std::move(code));
}

} // namespace dcsim
