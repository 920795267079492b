// Errors in what the user wrote, as opposed to bugs in dcsim.
//
// Every problem is reported as one line `file:line:col: key.path: what is wrong; expected what`.
// The loader collects all of them before throwing, so one run shows every mistake at once.
// ScenarioError derives from std::invalid_argument, which pybind11 maps to ValueError; the CLI maps
// it to exit status 2.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dcsim {

/// Where a value came from: a position in a file, or a `--set KEY=VALUE` override.
struct SourceLocation {
  std::string file;   ///< file name as given, or "--set"
  int line = 0;       ///< 1-based; 0 when unknown
  int column = 0;     ///< 1-based; 0 when unknown

  std::string to_string() const;
};

struct Diagnostic {
  SourceLocation location;
  std::string key_path; ///< dotted path, e.g. "jobs.0.parallelism.tensor"
  std::string message;  ///< "what is wrong; expected what"

  std::string to_string() const;
};

class ScenarioError : public std::invalid_argument {
public:
  explicit ScenarioError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

private:
  std::vector<Diagnostic> diagnostics_;
};

/// A violated internal invariant: a bug in dcsim, never the user's fault.
class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// Accumulates diagnostics while a file is read; throw_if_any() raises them together.
class Diagnostics {
public:
  void add(SourceLocation location, std::string key_path, std::string message);
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  /// @throw ScenarioError holding every diagnostic collected so far, if any.
  void throw_if_any() const;

private:
  std::vector<Diagnostic> list_;
};

/// The valid name closest to `word` by edit distance, or "" when none is reasonably close.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

/// "a, b or c" for messages.
std::string join_choices(const std::vector<std::string>& names);

} // namespace dcsim
