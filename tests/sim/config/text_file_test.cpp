// read_text_file(): the one place the loaders read a file whole.
#include "support/test_support.hpp"

#include "config/text_file.hpp"

#include <catch2/catch.hpp>

#include <fstream>

TEST_CASE("config::read_text_file: a file's content, nothing for a missing file or a directory", "[config]")
{
  const std::string path = dcsim::test::temp_dir() + "/text_file_test.yaml";
  const std::string content = "name: x\n\nlast line without newline";
  std::ofstream(path) << content;
  REQUIRE(dcsim::read_text_file(path).has_value());
  CHECK(*dcsim::read_text_file(path) == content);
  CHECK_FALSE(dcsim::read_text_file(path + ".missing").has_value());
  // An ifstream opens a directory and then reads nothing: that used to reach the YAML parser.
  CHECK_FALSE(dcsim::read_text_file(dcsim::test::temp_dir()).has_value());
  std::ofstream(path) << "";
  CHECK(dcsim::read_text_file(path) == std::string());
}
