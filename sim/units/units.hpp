// Parsing of physical quantities written by people ("80GiB", "400Gb/s", "2us", "989 Tflop/s").
//
// Everything inside dcsim is in SI base units: bytes, seconds, bytes per second, flop per second.
// This is the only place that knows about human units; the scenario loader calls it once per field.
//
//   parse_quantity("400Gb/s", Dimension::BytesPerSecond) == 5e10
//   parse_quantity("80GiB",   Dimension::Bytes)          == 85899345920
//   parse_quantity("2us",     Dimension::Seconds)        == 2e-6
//
// A plain number means the base unit of the expected dimension. Decimal prefixes (K, M, G, T, P)
// are powers of 1000 and binary ones (Ki, Mi, Gi, Ti, Pi) powers of 1024; a lower-case `b` means
// bits, an upper-case `B` bytes.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace dcsim {

enum class Dimension { Dimensionless, Bytes, BytesPerSecond, Seconds, FlopPerSecond, Watts };

/// Thrown for text that is not a quantity of the expected dimension. what() is one sentence
/// fragment suitable after "key: " (e.g. "unknown unit 'GX' in \"5GX\"; expected one of ...").
class UnitError : public std::invalid_argument {
public:
  using std::invalid_argument::invalid_argument;
};

/// Parses `text` as a quantity of dimension `expected`, returning its value in SI base units.
/// @throw UnitError for a malformed number, an unknown unit or a unit of another dimension.
double parse_quantity(std::string_view text, Dimension expected);

/// Reads a decimal number at the start of `text` ("16", "-2.5e3"), as std::strtod does, but
/// without its other spellings (hexadecimal "0x10", "inf", "nan"): sets `end` past it and returns
/// it, or sets `end` to `text` when there is none.
double parse_decimal(const char* text, const char** end);

/// Human name of a dimension, e.g. "a size in bytes (\"80GiB\", \"1.5TB\")".
std::string describe(Dimension dimension);

/// Formats a value in base units with a readable unit, e.g. 85899345920 B -> "80.0 GiB".
std::string format_bytes(double bytes);
std::string format_seconds(double seconds);
std::string format_rate(double bytes_per_s);
std::string format_watts(double watts);
/// Energy in joules as Wh, kWh, MWh or GWh, e.g. 3.6e9 J -> "1.00 MWh".
std::string format_energy(double joules);

} // namespace dcsim
