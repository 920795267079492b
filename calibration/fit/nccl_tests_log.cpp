#include "fit/nccl_tests_log.hpp"

#include <algorithm>
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
  std::vector<CollectiveSample> out;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    line = std::regex_replace(line, prefix, "");
    if (std::regex_search(line, rank_line)) {
      ++ranks;
      continue;
    }
    std::istringstream fields(line);
    std::string size, count, type, redop, time;
    if (!(fields >> size) || size.empty() || !std::isdigit(static_cast<unsigned char>(size[0])))
      continue;
    if (!(fields >> count >> type >> redop >> time))
      throw std::invalid_argument(path + ":" + std::to_string(line_number) +
                                  ": a result row with fewer than 5 columns; expected size count type redop time ...");
    try {
      out.push_back({op, 0, std::stod(size), std::stod(time) * 1e-6});
    } catch (const std::exception&) {
      throw std::invalid_argument(path + ":" + std::to_string(line_number) + ": \"" + time +
                                  "\" is not a time; expected microseconds");
    }
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
