#include "config/text_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace dcsim {

std::optional<std::string> read_text_file(const std::string& path)
{
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return std::nullopt; // an ifstream opens a directory and then reads nothing
  std::ifstream in(path);
  if (!in)
    return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace dcsim
