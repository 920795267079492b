#include "collectives/nccl_settings.hpp"

#include "collectives/collective_algorithm.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace dcsim {

namespace {

std::string lower(std::string text)
{
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trimmed(const std::string& text)
{
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos)
    return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split(const std::string& text, char separator)
{
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    parts.push_back(trimmed(text.substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos)
      return parts;
    start = end + 1;
  }
}

/// The operations NCCL's tuner chooses an algorithm for, by the names NCCL's variables use.
const std::vector<std::pair<std::string, CollectiveKind>>& tuned_operations()
{
  static const std::vector<std::pair<std::string, CollectiveKind>> ops = {
      {"allreduce", CollectiveKind::AllReduce},         {"allgather", CollectiveKind::AllGather},
      {"reducescatter", CollectiveKind::ReduceScatter}, {"broadcast", CollectiveKind::Broadcast},
      {"reduce", CollectiveKind::Reduce}};
  return ops;
}

/// Every choice of one kind, by its lower-case name.
template <class T>
using Names = std::vector<std::pair<std::string, T>>;

template <class T>
std::string listed(const Names<T>& names)
{
  std::string out;
  for (const auto& [name, value] : names)
    out += (out.empty() ? "" : ", ") + name;
  return out;
}

/// "a,b" or "^a,b" against `names`: the values allowed, in the table's order. A list after '^'
/// leaves its names out of the first `defaults` entries (what NCCL chooses from unasked).
template <class T>
std::vector<T> allowed(const std::string& list, const Names<T>& names, size_t defaults, const std::string& what)
{
  const bool exclude = !list.empty() && list.front() == '^';
  std::vector<T> named;
  for (const std::string& word : split(exclude ? list.substr(1) : list, ',')) {
    const auto found = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == lower(word); });
    if (found == names.end())
      throw std::invalid_argument((word.empty() ? "an empty name" : "unknown " + what + " \"" + word + "\"") +
                                  " in \"" + list + "\"; expected a comma-separated list of " + listed(names) +
                                  ", or one after ^ to leave them out");
    named.push_back(found->second);
  }
  const auto contains = [](const std::vector<T>& values, const T& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  std::vector<T> out;
  for (size_t i = 0; i < names.size(); ++i) {
    const T& value = names[i].second;
    const bool keep = exclude ? i < defaults && !contains(named, value) : contains(named, value);
    if (keep && !contains(out, value))
      out.push_back(value);
  }
  if (out.empty())
    throw std::invalid_argument("\"" + list + "\" leaves no " + what + "; expected at least one of " + listed(names));
  return out;
}

/// `value` as NCCL reads its variables: one list for every tuned operation, or "op:list;...".
void parse_per_operation(const std::string& value, NcclSettings& settings,
                         const std::function<void(const std::string&, CollectiveOverride&)>& apply)
{
  if (trimmed(value).empty())
    throw std::invalid_argument("is empty; expected a list such as \"ring,tree\" or \"^nvls\"");
  if (value.find(':') == std::string::npos) {
    for (const auto& [name, kind] : tuned_operations())
      apply(trimmed(value), settings.per_kind[static_cast<int>(kind)]);
    return;
  }
  for (const std::string& part : split(value, ';')) {
    const auto colon = part.find(':');
    const std::string op = lower(trimmed(part.substr(0, colon)));
    const auto& ops = tuned_operations();
    const auto found = std::find_if(ops.begin(), ops.end(), [&](const auto& o) { return o.first == op; });
    if (colon == std::string::npos || found == ops.end())
      throw std::invalid_argument("\"" + part + "\" names no operation; expected op:list with op one of " +
                                  listed(ops) + " (all-to-all and send/recv are point-to-point: NCCL's "
                                  "algorithms do not apply to them)");
    apply(trimmed(part.substr(colon + 1)), settings.per_kind[static_cast<int>(found->second)]);
  }
}

} // namespace

bool NcclSettings::restricts() const
{
  return std::any_of(per_kind.begin(), per_kind.end(), [](const CollectiveOverride& o) { return o.restricts(); });
}

void parse_nccl_algo(const std::string& value, NcclSettings& settings)
{
  // NCCL's names first (the first six: what it chooses from unasked); NVLSTree and PAT have no
  // model here, so they are refused by name.
  static const Names<std::string> names = {
      {"ring", "ring"},         {"tree", "tree"},         {"nvls", "nvls"},
      {"collnetdirect", "collnet"}, {"collnetchain", "collnet"}, {"collnet", "collnet"},
      {"halving_doubling", "halving_doubling"}, {"hierarchical", "hierarchical"}};
  parse_per_operation(value, settings, [&](const std::string& list, CollectiveOverride& into) {
    for (const char* missing : {"nvlstree", "pat"})
      for (const std::string& word : split(list.substr(!list.empty() && list.front() == '^'), ','))
        if (lower(word) == missing)
          throw std::invalid_argument("\"" + word + "\" is an NCCL algorithm dcsim does not model; expected " +
                                      listed(names));
    into.algorithms = allowed(list, names, 6, "algorithm");
    into.fall_back_to_ring = true;
  });
}

void parse_nccl_proto(const std::string& value, NcclSettings& settings)
{
  static const Names<Protocol> names = {{"ll", Protocol::LL}, {"ll128", Protocol::LL128}, {"simple", Protocol::Simple}};
  parse_per_operation(value, settings, [&](const std::string& list, CollectiveOverride& into) {
    into.protocols = allowed(list, names, names.size(), "protocol");
    into.fall_back_to_ring = true;
  });
}

} // namespace dcsim
