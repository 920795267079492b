#include "units/units.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

namespace dcsim {
namespace {

struct UnitEntry {
  std::string symbol;
  Dimension dimension;
  double factor; // value in base units of one `symbol`
};

constexpr double kKi = 1024.0;

// Sizes: bytes (B) and bits (b), decimal and binary prefixes.
void add_sizes(std::vector<UnitEntry>& table, const char* suffix, Dimension dimension, double per_second)
{
  struct Prefix {
    const char* text;
    double factor;
  };
  static const std::array<Prefix, 11> prefixes = {{{"", 1.0},
                                                   {"K", 1e3},
                                                   {"M", 1e6},
                                                   {"G", 1e9},
                                                   {"T", 1e12},
                                                   {"P", 1e15},
                                                   {"Ki", kKi},
                                                   {"Mi", kKi * kKi},
                                                   {"Gi", kKi * kKi * kKi},
                                                   {"Ti", kKi * kKi * kKi * kKi},
                                                   {"Pi", kKi * kKi * kKi * kKi * kKi}}};
  for (const auto& p : prefixes) {
    for (const auto& [unit, unit_factor] : {std::pair<const char*, double>{"B", 1.0}, {"b", 0.125}}) {
      table.push_back({std::string(p.text) + unit + suffix, dimension, p.factor * unit_factor * per_second});
    }
  }
}

const std::vector<UnitEntry>& unit_table()
{
  static const std::vector<UnitEntry> table = [] {
    std::vector<UnitEntry> t;
    add_sizes(t, "", Dimension::Bytes, 1.0);
    add_sizes(t, "/s", Dimension::BytesPerSecond, 1.0);
    add_sizes(t, "ps", Dimension::BytesPerSecond, 1.0);
    const std::vector<UnitEntry> others = {
        {"ns", Dimension::Seconds, 1e-9},        {"us", Dimension::Seconds, 1e-6},
        {"\xC2\xB5s", Dimension::Seconds, 1e-6}, {"ms", Dimension::Seconds, 1e-3},
        {"s", Dimension::Seconds, 1.0},          {"min", Dimension::Seconds, 60.0},
        {"h", Dimension::Seconds, 3600.0},       {"d", Dimension::Seconds, 86400.0},
        {"w", Dimension::Seconds, 7 * 86400.0},  {"y", Dimension::Seconds, 365 * 86400.0},
        {"flop/s", Dimension::FlopPerSecond, 1.0}, {"Kflop/s", Dimension::FlopPerSecond, 1e3},
        {"Mflop/s", Dimension::FlopPerSecond, 1e6}, {"Gflop/s", Dimension::FlopPerSecond, 1e9},
        {"Tflop/s", Dimension::FlopPerSecond, 1e12}, {"Pflop/s", Dimension::FlopPerSecond, 1e15},
        {"FLOPS", Dimension::FlopPerSecond, 1.0},  {"GFLOPS", Dimension::FlopPerSecond, 1e9},
        {"TFLOPS", Dimension::FlopPerSecond, 1e12}, {"PFLOPS", Dimension::FlopPerSecond, 1e15},
        {"Gf", Dimension::FlopPerSecond, 1e9},     {"Tf", Dimension::FlopPerSecond, 1e12},
        {"Pf", Dimension::FlopPerSecond, 1e15},
        {"W", Dimension::Watts, 1.0},              {"kW", Dimension::Watts, 1e3},
        {"KW", Dimension::Watts, 1e3},             {"MW", Dimension::Watts, 1e6},
    };
    t.insert(t.end(), others.begin(), others.end());
    return t;
  }();
  return table;
}

std::string trim(std::string_view s)
{
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
    ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
    --e;
  return std::string(s.substr(b, e - b));
}

std::string examples(Dimension d)
{
  switch (d) {
    case Dimension::Bytes:
      return "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB (or bits: Kb, Mb, Gb)";
    case Dimension::BytesPerSecond:
      return "B/s, MB/s, GB/s, GiB/s, Gb/s, Gbps, GBps";
    case Dimension::Seconds:
      return "ns, us, ms, s, min, h, d, w, y";
    case Dimension::FlopPerSecond:
      return "flop/s, Gflop/s, Tflop/s, Pflop/s, TFLOPS, Tf";
    case Dimension::Watts:
      return "W, kW, MW";
    case Dimension::Dimensionless:
      return "no unit";
  }
  return "";
}

} // namespace

std::string describe(Dimension d)
{
  switch (d) {
    case Dimension::Bytes:
      return "a size (e.g. \"80GiB\", \"1.5TB\" or bytes)";
    case Dimension::BytesPerSecond:
      return "a bandwidth (e.g. \"400Gb/s\", \"450GB/s\" or bytes/s)";
    case Dimension::Seconds:
      return "a duration (e.g. \"2us\", \"30min\" or seconds)";
    case Dimension::FlopPerSecond:
      return "a compute rate (e.g. \"989Tflop/s\" or flop/s)";
    case Dimension::Watts:
      return "a power (e.g. \"700W\", \"2.8kW\" or watts)";
    case Dimension::Dimensionless:
      return "a number";
  }
  return "a quantity";
}

double parse_decimal(const char* text, const char** end)
{
  // strtod's own grammar, less what no person writes in a scenario or trace.
  const char* p = text;
  while (std::isspace(static_cast<unsigned char>(*p)))
    ++p;
  if (*p == '+' || *p == '-')
    ++p;
  if (!std::isdigit(static_cast<unsigned char>(*p)) && !(*p == '.' && std::isdigit(static_cast<unsigned char>(p[1])))) {
    *end = text;
    return 0;
  }
  if (*p == '0' && (p[1] == 'x' || p[1] == 'X')) { // "0x10": not a number here
    *end = text;
    return 0;
  }
  char* stop = nullptr;
  const double value = std::strtod(text, &stop);
  *end = stop;
  return value;
}

double parse_quantity(std::string_view raw, Dimension expected)
{
  const std::string text = trim(raw);
  if (text.empty())
    throw UnitError("empty value; expected " + describe(expected));
  const char* begin = text.c_str();
  const char* end = nullptr;
  const double number = parse_decimal(begin, &end);
  if (end == begin || !std::isfinite(number))
    throw UnitError("\"" + text + "\" is not a number; expected " + describe(expected));
  const std::string unit = trim(std::string_view(end));
  if (unit.empty())
    return number;
  if (expected == Dimension::Dimensionless)
    throw UnitError("unexpected unit '" + unit + "' in \"" + text + "\"; expected a plain number");
  for (const auto& entry : unit_table()) {
    if (unit != entry.symbol)
      continue;
    if (entry.dimension != expected)
      throw UnitError("unit '" + unit + "' in \"" + text + "\" is " + describe(entry.dimension) + "; expected " +
                      describe(expected));
    return number * entry.factor;
  }
  throw UnitError("unknown unit '" + unit + "' in \"" + text + "\"; expected one of " + examples(expected));
}

namespace {
std::string format_scaled(double value, std::initializer_list<const char*> names, double base)
{
  size_t i = 0;
  double v = value;
  while (std::fabs(v) >= base && i + 1 < names.size()) {
    v /= base;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s", v, names.begin()[i]);
  return buf;
}
} // namespace

std::string format_bytes(double bytes)
{
  // A month of a large job's NVLink traffic runs to hundreds of EiB.
  return format_scaled(bytes, {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"}, 1024.0);
}

std::string format_rate(double bytes_per_s)
{
  return format_scaled(bytes_per_s, {"B/s", "KB/s", "MB/s", "GB/s", "TB/s", "PB/s"}, 1000.0);
}

std::string format_seconds(double s)
{
  char buf[64];
  if (std::fabs(s) < 1e-9)
    return "0 s";
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.3g us", s * 1e6);
  else if (s < 1.0)
    std::snprintf(buf, sizeof buf, "%.4g ms", s * 1e3);
  else if (s < 3600.0)
    std::snprintf(buf, sizeof buf, "%.4g s", s);
  else
    std::snprintf(buf, sizeof buf, "%.4g h", s / 3600.0);
  return buf;
}

} // namespace dcsim

namespace dcsim {

std::string format_watts(double watts)
{
  return format_scaled(watts, {"W", "kW", "MW", "GW", "TW", "PW"}, 1000.0);
}

std::string format_energy(double joules)
{
  return format_scaled(joules / 3600.0, {"Wh", "kWh", "MWh", "GWh", "TWh", "PWh"}, 1000.0);
}

} // namespace dcsim
