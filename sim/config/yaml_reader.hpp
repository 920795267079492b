// A checked view of one YAML mapping: typed getters that record errors instead of throwing, and a
// final check that rejects keys nobody asked for (suggesting the closest valid one).
//
// Only the scenario and profile loaders use this class; nothing else in dcsim touches YAML.
//
//   MapReader job(node, "jobs.0", context);
//   int iterations = job.integer("iterations", 10);          // optional, default 10
//   double lat = job.quantity("latency", Dimension::Seconds); // required
//   job.finish();                                             // unknown keys -> errors
#pragma once

#include "config/scenario_error.hpp"
#include "units/units.hpp"

#include <yaml-cpp/yaml.h>

#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace dcsim {

/// What every reader of one document shares: the file name, the error sink and the `--set`
/// overrides (dotted path -> "KEY=VALUE" text) so that an error in an override points at it.
struct ReadContext {
  std::string file;
  Diagnostics* diagnostics = nullptr;
  const std::map<std::string, std::string>* overrides = nullptr;
};

/// A name table for an enumeration: the only place a choice's spellings are listed.
template <typename E>
using NameTable = std::vector<std::pair<std::string, E>>;

/// Keeps a template parameter out of deduction (C++20's std::type_identity).
template <typename T>
struct NonDeduced {
  using type = T;
};

/// A bound or value as a person writes it: 0.01, 1, 1000 (not 0.010000).
std::string plain_number(double value);

class MapReader {
public:
  /// Reports an error (and reads nothing) when `node` is not a mapping.
  MapReader(YAML::Node node, std::string path, ReadContext context);

  bool has(const std::string& key);
  /// Integer in [min_value, max_value]; the default maximum is what an `int` field holds, so a
  /// value too large for the struct is an error here, never a silent wrap-around later.
  /// Without a fallback the key is required.
  long long integer(const std::string& key, std::optional<long long> fallback = std::nullopt, long long min_value = 1,
                    long long max_value = std::numeric_limits<int>::max());
  /// Quantity of `dimension` in base units, > 0 unless allow_zero. Without a fallback it is required.
  double quantity(const std::string& key, Dimension dimension, std::optional<double> fallback = std::nullopt,
                  bool allow_zero = false);
  /// The same, and at most `limit` (base units; `limit_text` says it as a person would, "1s"):
  /// beyond it the value is a typo or the engine cannot represent it, which `why` explains.
  double quantity_at_most(const std::string& key, Dimension dimension, std::optional<double> fallback, bool allow_zero,
                          double limit, const std::string& limit_text, const std::string& why);
  /// The same when given, and at least `limit`; absent, the fallback (which may be a 0 standing
  /// for "derive it").
  double quantity_at_least(const std::string& key, Dimension dimension, std::optional<double> fallback, double limit,
                           const std::string& limit_text, const std::string& why);
  /// A plain number in [min_value, max_value].
  double number(const std::string& key, std::optional<double> fallback, double min_value, double max_value);
  std::string text(const std::string& key, std::optional<std::string> fallback = std::nullopt);
  /// A required non-empty list of finite numbers.
  std::vector<double> numbers(const std::string& key);
  bool boolean(const std::string& key, bool fallback);

  template <typename E>
  E choice(const std::string& key, const NameTable<E>& names,
           std::optional<typename NonDeduced<E>::type> fallback = std::nullopt)
  {
    std::vector<std::string> spellings;
    for (const auto& [name, value] : names)
      spellings.push_back(name);
    const std::string word = text(key, fallback ? std::optional<std::string>(name_of(names, *fallback))
                                                : std::nullopt);
    for (const auto& [name, value] : names)
      if (name == word)
        return value;
    // An empty value given is a mistake too (`routing: ''` used to mean the default); a missing
    // required key has been reported by text().
    if (!word.empty() || has(key))
      error(key, unknown_choice_message(word, spellings));
    return fallback ? *fallback : names.front().second;
  }

  /// The child mapping at `key`, if present (an error if present but not a mapping).
  std::optional<MapReader> child(const std::string& key);
  /// The raw node at `key` for values that may take several shapes (marks the key as used).
  YAML::Node raw(const std::string& key);

  void error(const std::string& key, const std::string& message);
  SourceLocation location_of(const std::string& key) const;
  std::string path_of(const std::string& key) const;
  const std::string& path() const { return path_; }
  const ReadContext& context() const { return context_; }

  /// Reports every key that no getter asked for.
  void finish();

private:
  template <typename E>
  static std::string name_of(const NameTable<E>& names, E value)
  {
    for (const auto& [name, v] : names)
      if (v == value)
        return name;
    return names.front().first;
  }
  static std::string unknown_choice_message(const std::string& word, const std::vector<std::string>& spellings);
  std::optional<std::string> scalar(const std::string& key);

  YAML::Node node_;
  std::string path_;
  ReadContext context_;
  std::set<std::string> used_;
  bool valid_ = true;
};

/// Location of a node: file:line:col from its mark, or the `--set` override that produced it.
SourceLocation location_of_node(const YAML::Node& node, const std::string& path, const ReadContext& context);

} // namespace dcsim
