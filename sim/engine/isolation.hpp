// Running simulations from a process that runs more than one.
//
// SimGrid 3.32 keeps global state: a second engine in the same process inherits the first one's
// clock (../shared/spec/simgrid-notes.md). Tests, sweeps and the Python module therefore run each
// simulation in a forked child and get its result back as JSON through a pipe.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>

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

} // namespace dcsim
