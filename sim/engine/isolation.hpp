// Running simulations from a process that runs more than one.
//
// SimGrid 3.32 keeps global state: a second engine in the same process inherits the first one's
// clock (../shared/spec/simgrid-notes.md). Tests, sweeps and the Python module therefore run each
// simulation in a forked child and get its result back as JSON through a pipe.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dcsim {

/// Thrown in the parent when the child failed; what() is the child's error message.
class IsolatedRunError : public std::runtime_error {
public:
  IsolatedRunError(const std::string& message, bool invalid_input)
      : std::runtime_error(message), invalid_input_(invalid_input)
  {
  }
  /// True when the child threw ScenarioError (the user's input was invalid).
  bool invalid_input() const { return invalid_input_; }

private:
  bool invalid_input_;
};

/// Runs `work` in a forked child and returns what it returned.
/// @throw IsolatedRunError if `work` threw or the child died.
nlohmann::json run_isolated(const std::function<nlohmann::json()>& work);

/// What one child returned, or why it failed.
struct IsolatedOutcome {
  bool ok = false;
  bool invalid_input = false; ///< the child threw ScenarioError
  nlohmann::json value;       ///< when ok
  std::string error;          ///< when not
};

/// Runs each of `works` in a forked child of its own, at most `workers` at a time (children
/// are processes, so they use as many cores); the outcomes come back in the order of `works`.
std::vector<IsolatedOutcome> run_isolated_all(const std::vector<std::function<nlohmann::json()>>& works, int workers);

} // namespace dcsim
