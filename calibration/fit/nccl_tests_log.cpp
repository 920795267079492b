#include "fit/nccl_tests_log.hpp"

#include "units/units.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

namespace dcsim::calibration {

namespace {

std::string op_from_name(const std::string& path)
{
  std::string name = path.substr(path.find_last_of('/') + 1);
  name.erase(std::remove(name.begin(), name.end(), '_'), name.end());
  for (const char* op : {"allreduce", "allgather", "reducescatter", "alltoall", "sendrecv", "broadcast", "reduce"})
    if (name.find(op) != std::string::npos)
      return op;
  return "";
}

/// Where the out-of-place time sits among a result row's fields, from the column header
/// ("#  size  count  type  redop  root  time  algbw ..."): nccl-tests added the `root` column in
/// 2022 (2.13), so older logs (Echo's) have the time fifth and newer ones sixth. -1: not a header.
int time_column(const std::string& line)
{
  std::istringstream words(line);
  std::vector<std::string> columns;
  for (std::string w; words >> w;)
    if (w != "#")
      columns.push_back(w);
  if (columns.size() < 5 || columns[0] != "size" || columns[1] != "count")
    return -1;
  const auto time = std::find(columns.begin(), columns.end(), "time");
  return time == columns.end() ? -1 : static_cast<int>(time - columns.begin());
}

/// A whole decimal number of the log; false for anything else ("N/A", "1.5x").
bool read_number(const std::string& text, double& value)
{
  const char* end = nullptr;
  value = parse_decimal(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && std::isfinite(value);
}

} // namespace

std::vector<CollectiveSample> read_nccl_tests_log(const std::string& path, const std::string& op_given)
{
  std::ifstream in(path);
  if (!in)
    throw std::invalid_argument(path + ": cannot read the nccl-tests log; expected a readable file");
  const std::string op = op_given.empty() ? op_from_name(path) : op_given;
  if (op.empty())
    throw std::invalid_argument(path + ": cannot tell the operation from the file name; expected a name containing "
                                       "allreduce, allgather, reducescatter, alltoall or sendrecv (or --op)");
  const std::regex prefix(R"(^\[\d+,\d+\]<stdout>:)"); // mpirun --tag-output
  const std::regex rank_line(R"(^#\s+Rank\s+\d+\s)");
  int ranks = 0, line_number = 0;
  int time_at = 4; // size count type redop time, unless a header says otherwise
  std::vector<CollectiveSample> out;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    line = std::regex_replace(line, prefix, "");
    if (std::regex_search(line, rank_line)) {
      ++ranks;
      continue;
    }
    if (const int at = time_column(line); at >= 0) {
      time_at = at;
      continue;
    }
    std::istringstream words(line);
    std::vector<std::string> fields;
    for (std::string w; words >> w;)
      fields.push_back(w);
    if (fields.empty() || !std::isdigit(static_cast<unsigned char>(fields[0][0])))
      continue;
    const std::string where = path + ":" + std::to_string(line_number) + ": ";
    if (static_cast<int>(fields.size()) <= time_at)
      throw std::invalid_argument(where + "a result row with fewer than " + std::to_string(time_at + 1) +
                                  " columns; expected size count type redop " + (time_at > 4 ? "root " : "") +
                                  "time ...");
    double bytes = 0, time_us = 0;
    if (!read_number(fields[0], bytes) || bytes < 0)
      throw std::invalid_argument(where + "\"" + fields[0] + "\" is not a size; expected bytes");
    if (!read_number(fields[time_at], time_us) || !(time_us > 0))
      throw std::invalid_argument(where + "\"" + fields[time_at] + "\" is not a time; expected microseconds > 0");
    out.push_back({op, 0, bytes, time_us * 1e-6});
  }
  if (out.empty())
    throw std::invalid_argument(path + ": no result rows; expected nccl-tests output");
  if (ranks == 0)
    throw std::invalid_argument(path + ": no \"#  Rank N\" header lines; expected nccl-tests' device list");
  for (auto& s : out)
    s.ranks = ranks;
  return out;
}

} // namespace dcsim::calibration
