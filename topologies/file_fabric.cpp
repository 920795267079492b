#include "file_fabric.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace dcsim {

namespace {

std::vector<std::string> split_csv(const std::string& line)
{
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ','))
    fields.push_back(field);
  if (!line.empty() && line.back() == ',')
    fields.emplace_back();
  for (auto& f : fields) {
    while (!f.empty() && (f.back() == '\r' || f.back() == ' '))
      f.pop_back();
    while (!f.empty() && f.front() == ' ')
      f.erase(f.begin());
  }
  return fields;
}

VertexKind kind_of_tier(size_t tier, size_t tiers)
{
  if (tier + 1 == tiers)
    return VertexKind::Leaf;
  return tier == 0 && tiers >= 3 ? VertexKind::Core : VertexKind::Spine;
}

} // namespace

FileFabricParams read_topology_file(const std::string& path, std::vector<TopologyFileError>& errors)
{
  FileFabricParams params;
  std::ifstream in(path);
  if (!in) {
    errors.push_back({0, "cannot read the topology file; expected a readable CSV file"});
    return params;
  }
  std::string line;
  int number = 0;
  std::map<std::string, int> host_lines; // host -> its line
  int top_line = 0;                      // the first row's line: its top-tier switch is the root
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#')
      continue;
    const auto fields = split_csv(line);
    if (params.tier_names.empty()) {
      if (fields.size() < 2) {
        errors.push_back({number, "header has " + std::to_string(fields.size()) +
                                      " column(s); expected a host column and at least one switch tier"});
        return params;
      }
      params.tier_names.assign(fields.begin() + 1, fields.end());
      continue;
    }
    if (fields.size() != params.tier_names.size() + 1) {
      errors.push_back({number, "row has " + std::to_string(fields.size()) + " fields; expected " +
                                    std::to_string(params.tier_names.size() + 1) + " like the header"});
      continue;
    }
    bool empty = false;
    for (const auto& f : fields)
      empty = empty || f.empty();
    if (empty) {
      errors.push_back({number, "row has an empty field; expected a host name and a switch name per tier"});
      continue;
    }
    // Found by mutating the Lingjun file: a repeated host became a second node, and a second
    // top-tier switch a tree of its own that no route reaches (exit 1 at routing time).
    const auto [host, added] = host_lines.emplace(fields[0], number);
    if (!added) {
      errors.push_back({number, "host " + fields[0] + " is already on line " + std::to_string(host->second) +
                                    "; expected one row per host"});
      continue;
    }
    if (!params.switches.empty() && fields[1] != params.switches.front()[0]) {
      errors.push_back({number, params.tier_names[0] + " " + fields[1] + " is not " + params.switches.front()[0] +
                                    " (line " + std::to_string(top_line) + "); expected one " + params.tier_names[0] +
                                    " switch, the root every path hangs from"});
      continue;
    }
    if (params.switches.empty())
      top_line = number;
    params.switches.emplace_back(fields.begin() + 1, fields.end());
  }
  if (params.tier_names.empty())
    errors.push_back({number, "the file is empty; expected a header and one row per host"});
  else if (params.switches.empty() && errors.empty())
    errors.push_back({number, "no host rows; expected one row per host"});
  return params;
}

FileFabric::FileFabric(const FileFabricParams& p) : params_(p)
{
  if (p.switches.size() < static_cast<size_t>(p.nodes.nodes))
    throw std::invalid_argument("the topology file lists " + std::to_string(p.switches.size()) + " hosts, not " +
                                std::to_string(p.nodes.nodes));
  build_nodes(p.nodes);
  const size_t tiers = p.tier_names.size();
  tiers_.assign(tiers, {});
  std::map<std::string, VertexId> by_path; // "top/mid/bottom" -> switch
  std::vector<VertexId> host_switch(p.nodes.nodes);
  for (int host = 0; host < p.nodes.nodes; ++host) {
    std::string path;
    VertexId above = 0;
    for (size_t t = 0; t < tiers; ++t) {
      path += "/" + p.switches[host][t];
      auto found = by_path.find(path);
      if (found == by_path.end()) {
        const VertexId v = add_vertex(kind_of_tier(t, tiers), static_cast<int>(tiers_[t].size()),
                                      p.tier_names[t] + ":" + path.substr(1));
        tiers_[t].push_back(v);
        if (t > 0) {
          const double bandwidth = t - 1 < p.tier_bandwidth_bytes_per_s.size() ? p.tier_bandwidth_bytes_per_s[t - 1]
                                                                                : p.link_bandwidth_bytes_per_s;
          add_edge(v, above, LinkKind::Fabric, bandwidth, p.link_latency_s);
        }
        found = by_path.emplace(path, v).first;
      }
      above = found->second;
    }
    host_switch[host] = above;
  }
  for (int nic = 0; nic < nic_count(); ++nic)
    connect_nic(nic, host_switch[nic / p.nodes.nics_per_node], p.link_latency_s);
}

void FileFabric::route_network(Route& r, int src_nic, int dst_nic, std::uint64_t flow_hash) const
{
  const VertexId from = switch_of_nic(src_nic);
  const VertexId to = switch_of_nic(dst_nic);
  add_hop(r, nic_switch_edge_[src_nic], nic_vertex(src_nic));
  route_shortest(r, from, to, flow_hash);
  add_hop(r, nic_switch_edge_[dst_nic], to);
}

std::string FileFabric::describe() const
{
  std::string out = "file-described fabric (";
  for (size_t t = 0; t < tiers_.size(); ++t)
    out += (t ? ", " : "") + std::to_string(tiers_[t].size()) + " " + params_.tier_names[t];
  return out + ")";
}

} // namespace dcsim
