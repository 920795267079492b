#include "config/yaml_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace dcsim {

SourceLocation location_of_node(const YAML::Node& node, const std::string& path, const ReadContext& context)
{
  if (context.overrides) {
    // The longest override that is a prefix of `path` produced this node.
    std::string best;
    for (const auto& [key, text] : *context.overrides)
      if ((path == key || path.rfind(key + ".", 0) == 0) && key.size() >= best.size())
        best = key;
    if (!best.empty())
      return {"--set " + context.overrides->at(best), 0, 0};
  }
  const YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  if (mark.is_null())
    return {context.file, 0, 0};
  return {context.file, mark.line + 1, mark.column + 1};
}

MapReader::MapReader(YAML::Node node, std::string path, ReadContext context)
    : node_(std::move(node)), path_(std::move(path)), context_(std::move(context))
{
  if (!node_.IsMap()) {
    valid_ = false;
    const std::string shape = node_.IsSequence() ? "a list" : node_.IsScalar() ? "a single value" : "empty";
    context_.diagnostics->add(location_of_node(node_, path_, context_), path_,
                              "is " + shape + "; expected a mapping of keys to values");
  }
}

std::string MapReader::path_of(const std::string& key) const
{
  return path_.empty() ? key : path_ + "." + key;
}

SourceLocation MapReader::location_of(const std::string& key) const
{
  // `key` may be dotted ("model.hidden"): point at the deepest node that exists.
  if (!valid_)
    return location_of_node(node_, path_, context_);
  YAML::Node found;
  found.reset(node_);
  std::string walked = path_;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const std::string part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const YAML::Node current = found; // const view: lookups never insert keys
    if (!current.IsMap() || !current[part].IsDefined())
      break;
    found.reset(current[part]);
    walked = walked.empty() ? part : walked + "." + part;
    if (dot == std::string::npos)
      break;
    start = dot + 1;
  }
  return location_of_node(found, walked, context_);
}

void MapReader::error(const std::string& key, const std::string& message)
{
  // A mapping that is not one was reported when this reader was made; whatever its keys lack
  // follows from that and would only bury the one error that matters.
  if (!valid_)
    return;
  context_.diagnostics->add(location_of(key), path_of(key), message);
}

bool MapReader::has(const std::string& key)
{
  used_.insert(key);
  const YAML::Node& n = node_;
  return valid_ && n[key].IsDefined() && !n[key].IsNull();
}

YAML::Node MapReader::raw(const std::string& key)
{
  used_.insert(key);
  const YAML::Node& n = node_;
  const YAML::Node found = valid_ ? n[key] : YAML::Node();
  // A missing key's node from yaml-cpp is a zombie that throws on IsScalar(), IsMap() and the
  // like; hand out a valid, undefined node instead, so every caller may ask it anything.
  return found.IsDefined() ? found : YAML::Node(YAML::NodeType::Undefined);
}

std::optional<std::string> MapReader::scalar(const std::string& key)
{
  if (!has(key))
    return std::nullopt;
  const YAML::Node& n = node_;
  const YAML::Node value = n[key];
  if (!value.IsScalar()) {
    error(key, std::string("is ") + (value.IsMap() ? "a mapping" : "a list") + "; expected a single value");
    return std::nullopt;
  }
  return value.Scalar();
}

std::string plain_number(double value)
{
  std::ostringstream out;
  out << value;
  return out.str();
}

long long MapReader::integer(const std::string& key, std::optional<long long> fallback, long long min_value,
                            long long max_value)
{
  const auto text_value = scalar(key);
  if (!text_value) {
    if (!fallback && valid_ && !has(key))
      error(key, "is missing; expected an integer >= " + std::to_string(min_value));
    return fallback.value_or(min_value);
  }
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text_value->c_str(), &end, 10);
  if (end == text_value->c_str() || *end != '\0') {
    error(key, "\"" + *text_value + "\" is not an integer; expected an integer >= " + std::to_string(min_value));
    return fallback.value_or(min_value);
  }
  const std::string what = min_value == 1 ? "a positive integer" : "an integer >= " + std::to_string(min_value);
  if (errno == ERANGE || value > max_value) {
    error(key, *text_value + " is out of range; expected " + what + " up to " + std::to_string(max_value));
    return fallback.value_or(min_value);
  }
  if (value < min_value) {
    error(key, *text_value + " is out of range; expected " + what);
    return fallback.value_or(min_value);
  }
  return value;
}

double MapReader::quantity(const std::string& key, Dimension dimension, std::optional<double> fallback,
                           bool allow_zero)
{
  const auto text_value = scalar(key);
  if (!text_value) {
    if (!fallback && valid_ && !has(key))
      error(key, "is missing; expected " + describe(dimension));
    return fallback.value_or(1.0);
  }
  try {
    const double value = parse_quantity(*text_value, dimension);
    if (value < 0 || (value == 0 && !allow_zero)) {
      error(key, "\"" + *text_value + "\" is " + (value < 0 ? "negative" : "zero") + "; expected " +
                     (allow_zero ? "a value >= 0" : "a positive value") + ", " + describe(dimension));
      return fallback.value_or(1.0);
    }
    return value;
  } catch (const UnitError& e) {
    error(key, e.what());
    return fallback.value_or(1.0);
  }
}

double MapReader::quantity_at_most(const std::string& key, Dimension dimension, std::optional<double> fallback,
                                   bool allow_zero, double limit, const std::string& limit_text, const std::string& why)
{
  const double value = quantity(key, dimension, fallback, allow_zero);
  if (value <= limit)
    return value;
  error(key, "\"" + scalar(key).value_or("") + "\" is more than " + limit_text + " (" + why + "); expected at most " +
                 limit_text);
  return fallback.value_or(limit);
}

double MapReader::quantity_at_least(const std::string& key, Dimension dimension, std::optional<double> fallback,
                                    double limit, const std::string& limit_text, const std::string& why)
{
  const double value = quantity(key, dimension, fallback, false);
  const auto text_value = scalar(key);
  if (!text_value || value >= limit || value <= 0) // absent, fine, or already reported
    return value;
  error(key, "\"" + *text_value + "\" is less than " + limit_text + " (" + why + "); expected at least " + limit_text);
  return fallback.value_or(limit);
}

double MapReader::number(const std::string& key, std::optional<double> fallback, double min_value, double max_value)
{
  const auto text_value = scalar(key);
  const std::string range = "a number in [" + plain_number(min_value) + ", " + plain_number(max_value) + "]";
  if (!text_value) {
    if (!fallback && valid_ && !has(key))
      error(key, "is missing; expected " + range);
    return fallback.value_or(min_value);
  }
  const char* end = nullptr;
  const double value = parse_decimal(text_value->c_str(), &end);
  if (end == text_value->c_str() || *end != '\0' || !std::isfinite(value) || value < min_value ||
      value > max_value) {
    error(key, "\"" + *text_value + "\" is not valid; expected " + range);
    return fallback.value_or(min_value);
  }
  return value;
}

std::vector<double> MapReader::numbers(const std::string& key)
{
  const YAML::Node list = raw(key);
  std::vector<double> out;
  if (!list || !list.IsSequence() || list.size() == 0) {
    error(key, "is missing or not a list; expected a list of numbers");
    return out;
  }
  for (const auto& item : list) {
    double value = 0;
    if (!item.IsScalar() || !YAML::convert<double>::decode(item, value) || !std::isfinite(value)) {
      error(key, "has an element that is not a number; expected a list of numbers");
      return {};
    }
    out.push_back(value);
  }
  return out;
}

std::string MapReader::text(const std::string& key, std::optional<std::string> fallback)
{
  const auto value = scalar(key);
  if (!value) {
    if (!fallback && valid_ && !has(key))
      error(key, "is missing; expected a value");
    return fallback.value_or("");
  }
  return *value;
}

bool MapReader::boolean(const std::string& key, bool fallback)
{
  const auto value = scalar(key);
  if (!value)
    return fallback;
  if (*value == "true" || *value == "yes" || *value == "on")
    return true;
  if (*value == "false" || *value == "no" || *value == "off")
    return false;
  error(key, "\"" + *value + "\" is not a boolean; expected true or false");
  return fallback;
}

std::optional<MapReader> MapReader::child(const std::string& key)
{
  if (!has(key))
    return std::nullopt;
  const YAML::Node& n = node_;
  return MapReader(n[key], path_of(key), context_);
}

std::string MapReader::unknown_choice_message(const std::string& word, const std::vector<std::string>& spellings)
{
  std::string message = "unknown value \"" + word + "\"";
  const std::string near = closest_name(word, spellings);
  if (!near.empty())
    message += " (did you mean \"" + near + "\"?)";
  return message + "; expected " + join_choices(spellings);
}

void MapReader::finish()
{
  if (!valid_)
    return;
  const std::vector<std::string> known(used_.begin(), used_.end());
  for (const auto& entry : node_) {
    const std::string key = entry.first.as<std::string>();
    if (used_.count(key))
      continue;
    std::string message = "unknown key";
    const std::string near = closest_name(key, known);
    if (!near.empty())
      message += " (did you mean \"" + near + "\"?)";
    message += "; expected one of " + join_choices(known);
    context_.diagnostics->add(location_of_node(entry.first, path_of(key), context_), path_of(key), message);
  }
}

} // namespace dcsim
