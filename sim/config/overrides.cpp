// `--set a.b.0.c=value`: edits the parsed YAML tree before it is read, so an override is checked
// exactly like the file (and its errors point at the override).
#include "config/internal/readers.hpp"

#include <cctype>

namespace dcsim::internal {

namespace {

std::vector<std::string> split_path(const std::string& path)
{
  std::vector<std::string> parts;
  std::string current;
  for (char c : path) {
    if (c == '.') {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

bool is_index(const std::string& s)
{
  if (s.empty())
    return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

/// Walks to the node at `parts` (creating mappings on the way) and assigns `value`.
/// Returns an error sentence or "".
std::string assign(YAML::Node root, const std::vector<std::string>& parts, const YAML::Node& value)
{
  YAML::Node node = root;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (part.empty())
      return "empty key in the path; expected dotted keys such as jobs.0.gpus";
    if (node.IsSequence()) {
      if (!is_index(part))
        return "\"" + part + "\" indexes a list; expected a number";
      const size_t index = part.size() > 9 ? node.size() : std::stoul(part); // beyond any list
      if (index >= node.size())
        return "index " + part + " is past the end of a list of " + std::to_string(node.size()) +
               "; expected an index below " + std::to_string(node.size());
      if (last) {
        node[index] = value;
        return "";
      }
      node.reset(node[index]);
      continue;
    }
    if (node.IsScalar())
      return "\"" + part + "\" goes inside a single value; expected a path through mappings and lists";
    if (last) {
      node[part] = value;
      return "";
    }
    if (!node[part].IsDefined() || node[part].IsNull())
      node[part] = YAML::Node(YAML::NodeType::Map);
    node.reset(node[part]);
  }
  return "";
}

} // namespace

void apply_overrides(YAML::Node& root, const std::vector<std::string>& overrides,
                     std::map<std::string, std::string>& applied, Diagnostics& diagnostics)
{
  for (const auto& text : overrides) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      diagnostics.add({"--set " + text, 0, 0}, "", "is not KEY=VALUE; expected e.g. jobs.0.parallelism.tensor=4");
      continue;
    }
    const std::string key = text.substr(0, eq);
    YAML::Node value;
    try {
      value = YAML::Load(text.substr(eq + 1));
    } catch (const YAML::Exception& e) {
      diagnostics.add({"--set " + text, 0, 0}, key, "value is not valid YAML (" + e.msg + ")");
      continue;
    }
    if (!root.IsMap()) {
      diagnostics.add({"--set " + text, 0, 0}, key, "the scenario is not a mapping; expected a mapping to override");
      continue;
    }
    const std::string error = assign(root, split_path(key), value);
    if (!error.empty()) {
      diagnostics.add({"--set " + text, 0, 0}, key, error);
      continue;
    }
    applied[key] = text;
  }
}

} // namespace dcsim::internal
