// The JSON result of ../shared/spec/contract.md (plus extra fields), and the Chrome trace.
#pragma once

#include "results/simulation_result.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace dcsim {

nlohmann::json to_json(const SimulationResult& result);
/// Chrome/Perfetto trace-event format: one process per job, one thread per pipeline rank.
nlohmann::json trace_to_json(const SimulationResult& result);
/// Writes `value` to `path` whole or not at all (temporary file, then rename).
/// @throw std::runtime_error when the file cannot be written.
void write_json_file(const std::string& path, const nlohmann::json& value);

} // namespace dcsim
