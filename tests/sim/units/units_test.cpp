#include "units/units.hpp"

#include <catch2/catch.hpp>

#include <utility>

using dcsim::Dimension;
using dcsim::parse_quantity;

TEST_CASE("units::parse_quantity: the contract's examples", "[units]")
{
  CHECK(parse_quantity("80GiB", Dimension::Bytes) == 80.0 * 1024 * 1024 * 1024);
  CHECK(parse_quantity("1.5TB", Dimension::Bytes) == Approx(1.5e12));
  CHECK(parse_quantity("400Gb/s", Dimension::BytesPerSecond) == Approx(50e9)); // bits -> bytes
  CHECK(parse_quantity("450GB/s", Dimension::BytesPerSecond) == Approx(450e9));
  CHECK(parse_quantity("2us", Dimension::Seconds) == Approx(2e-6));
  CHECK(parse_quantity("600ns", Dimension::Seconds) == Approx(600e-9));
  CHECK(parse_quantity("30min", Dimension::Seconds) == Approx(1800));
  CHECK(parse_quantity("9y", Dimension::Seconds) == Approx(9 * 365 * 86400.0));
  CHECK(parse_quantity("1.2e15 flop/s", Dimension::FlopPerSecond) == Approx(1.2e15));
  CHECK(parse_quantity("989Tf", Dimension::FlopPerSecond) == Approx(989e12));
  CHECK(parse_quantity("400Gbps", Dimension::BytesPerSecond) == Approx(50e9));
}

TEST_CASE("units::parse_quantity: plain numbers are base units", "[units]")
{
  CHECK(parse_quantity("1024", Dimension::Bytes) == 1024);
  CHECK(parse_quantity(" 2.5e9 ", Dimension::BytesPerSecond) == 2.5e9);
  CHECK(parse_quantity("0.001", Dimension::Seconds) == 0.001);
}

TEST_CASE("units::parse_quantity: rejects what it cannot read, naming the problem", "[units]")
{
  SECTION("unknown unit lists the valid ones")
  {
    CHECK_THROWS_WITH(parse_quantity("5GX", Dimension::Bytes),
                      Catch::Contains("unknown unit 'GX'") && Catch::Contains("GiB"));
  }
  SECTION("a unit of another dimension")
  {
    CHECK_THROWS_WITH(parse_quantity("2us", Dimension::Bytes), Catch::Contains("is a duration"));
  }
  SECTION("not a number")
  {
    CHECK_THROWS_WITH(parse_quantity("fast", Dimension::BytesPerSecond), Catch::Contains("is not a number"));
  }
  SECTION("empty") { CHECK_THROWS_AS(parse_quantity("", Dimension::Seconds), dcsim::UnitError); }
  SECTION("strtod's other spellings: hexadecimal, inf, nan (\"0x10GB/s\" was 16 GB/s)")
  {
    for (const char* text : {"0x10", "0x10GB/s", "0X1p4", "inf", "nan", "-inf"})
      CHECK_THROWS_WITH(parse_quantity(text, Dimension::BytesPerSecond), Catch::Contains("is not a number"));
  }
}

TEST_CASE("units::parse_decimal reads decimal numbers only, and says where they end", "[units]")
{
  const auto read = [](const char* text) {
    const char* end = nullptr;
    const double value = dcsim::parse_decimal(text, &end);
    return std::make_pair(value, static_cast<int>(end - text));
  };
  CHECK(read("16") == std::make_pair(16.0, 2));
  CHECK(read("-2.5e3GB") == std::make_pair(-2500.0, 6));
  CHECK(read(".5") == std::make_pair(0.5, 2));
  CHECK(read("+7 us") == std::make_pair(7.0, 2));
  CHECK(read("0.25") == std::make_pair(0.25, 4));
  for (const char* text : {"0x10", "inf", "nan", "abc", "", "-", "."})
    CHECK(read(text).second == 0);
}

TEST_CASE("units::format_bytes uses binary units", "[units]")
{
  CHECK(dcsim::format_bytes(80.0 * 1024 * 1024 * 1024) == "80 GiB");
  CHECK(dcsim::format_bytes(253.0 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024) == "253 EiB");
  CHECK(dcsim::format_bytes(2048.0 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024) == "2.05e+03 ZiB");
}
