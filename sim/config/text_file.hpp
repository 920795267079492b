// Reading a whole text file, shared by the scenario, model and profile loaders and by
// `dcsim calibrate`; each caller words its own error for the file it expected.
#pragma once

#include <optional>
#include <string>

namespace dcsim {

/// The file's content, or nothing when it cannot be read (missing, unreadable or a directory).
std::optional<std::string> read_text_file(const std::string& path);

} // namespace dcsim
