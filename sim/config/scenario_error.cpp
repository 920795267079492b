#include "config/scenario_error.hpp"

#include <algorithm>
#include <cctype>

namespace dcsim {

std::string SourceLocation::to_string() const
{
  if (line <= 0)
    return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const
{
  std::string out = location.to_string() + ": ";
  if (!key_path.empty())
    out += key_path + ": ";
  return out + message;
}

namespace {
std::string join_lines(const std::vector<Diagnostic>& diagnostics)
{
  std::string out;
  for (const auto& d : diagnostics) {
    if (!out.empty())
      out += "\n";
    out += d.to_string();
  }
  return out;
}
} // namespace

ScenarioError::ScenarioError(std::vector<Diagnostic> diagnostics)
    : std::invalid_argument(join_lines(diagnostics)), diagnostics_(std::move(diagnostics))
{
}

void Diagnostics::add(SourceLocation location, std::string key_path, std::string message)
{
  list_.push_back({std::move(location), std::move(key_path), std::move(message)});
}

void Diagnostics::throw_if_any() const
{
  if (!list_.empty())
    throw ScenarioError(list_);
}

namespace {
size_t edit_distance(const std::string& a, const std::string& b)
{
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
} // namespace

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates)
{
  std::string best;
  size_t best_distance = std::max<size_t>(3, word.size() / 2) + 1;
  for (const auto& c : candidates) {
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string join_choices(const std::vector<std::string>& names)
{
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      out += (i + 1 == names.size()) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

} // namespace dcsim
