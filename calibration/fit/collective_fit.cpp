#include "fit/collective_fit.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace dcsim::calibration {

namespace {

constexpr double kLLEnd = 64.0 * 1024, kLL128End = 4.0 * 1024 * 1024;
const double kRanges[3][2] = {{0, kLLEnd}, {kLLEnd, kLL128End}, {kLL128End, 1e300}};

/// Minimises sum ((alpha + beta x - t) / t)^2.
std::pair<double, double> relative_least_squares(const std::vector<const CollectiveSample*>& points)
{
  Eigen::MatrixXd A(points.size(), 2);
  Eigen::VectorXd y = Eigen::VectorXd::Ones(points.size());
  for (size_t i = 0; i < points.size(); ++i)
    A(i, 0) = 1.0 / points[i]->seconds, A(i, 1) = points[i]->bytes / points[i]->seconds;
  const Eigen::Vector2d x = A.colPivHouseholderQr().solve(y);
  return {std::max(0.0, x(0)), std::max(0.0, x(1))};
}

double max_error(const std::vector<const CollectiveSample*>& points, double alpha, double beta)
{
  double worst = 0;
  for (const auto* p : points)
    worst = std::max(worst, std::fabs((alpha + beta * p->bytes) / p->seconds - 1));
  return worst;
}

} // namespace

std::vector<AlphaBeta> fit_collectives(const std::vector<CollectiveSample>& samples)
{
  std::map<std::pair<std::string, int>, std::vector<const CollectiveSample*>> groups;
  for (const auto& s : samples)
    groups[{s.op, s.ranks}].push_back(&s);
  std::vector<AlphaBeta> out;
  for (auto& [key, points] : groups) {
    std::sort(points.begin(), points.end(), [](auto* a, auto* b) { return a->bytes < b->bytes; });
    for (const auto& range : kRanges) {
      std::vector<const CollectiveSample*> fit, check;
      for (const auto* p : points)
        if (p->bytes >= range[0] && p->bytes < range[1])
          ((fit.size() + check.size()) % 2 == 0 ? fit : check).push_back(p);
      if (fit.size() < 2)
        continue;
      const auto [alpha, beta] = relative_least_squares(fit);
      out.push_back({key.first, key.second, range[0], range[1], alpha, beta, static_cast<int>(fit.size()),
                     max_error(fit, alpha, beta), max_error(check, alpha, beta)});
    }
  }
  return out;
}

std::vector<std::string> apply_all_reduce_fit(const std::vector<AlphaBeta>& fits, double link_bytes_per_s,
                                              double route_latency_s, CommunicationParams& comm)
{
  // range index -> (ranks -> line)
  std::map<int, std::map<int, const AlphaBeta*>> lines;
  for (const auto& f : fits)
    if (f.op == "allreduce" && f.ranks >= 2)
      for (int r = 0; r < 3; ++r)
        if (f.min_bytes == kRanges[r][0])
          lines[r][f.ranks] = &f;
  std::vector<std::string> report;
  if (!lines.count(2))
    return report;
  const int n = lines[2].rbegin()->first; // the most ranks measured
  const double wire = 2.0 * (n - 1) / n;  // bytes each rank sends per byte of all-reduce
  const double simple_bytes_per_s = wire / lines[2].at(n)->beta_s_per_byte;
  if (link_bytes_per_s > 0) {
    comm.scale_up_efficiency = std::clamp(simple_bytes_per_s / link_bytes_per_s, 0.01, 1.0);
    report.push_back("scale_up_efficiency " + std::to_string(comm.scale_up_efficiency) + " (Simple busbw " +
                     std::to_string(simple_bytes_per_s / 1e9) + " GB/s on " + std::to_string(n) + " GPUs)");
  }
  const Protocol protocols[3] = {Protocol::LL, Protocol::LL128, Protocol::Simple};
  for (int r = 0; r < 3; ++r) {
    if (!lines.count(r) || !lines[r].count(n))
      continue;
    ProtocolParams& p = comm.protocols[static_cast<int>(protocols[r])];
    if (r < 2 && lines[r].at(n)->beta_s_per_byte > 0)
      p.efficiency = std::clamp(lines[2].at(n)->beta_s_per_byte / lines[r].at(n)->beta_s_per_byte, 0.01, 1.0);
    // alpha(n) = base + 2(n-1) (route + step): regress on the step count when several n were run.
    if (lines[r].size() >= 2) {
      Eigen::MatrixXd A(lines[r].size(), 2);
      Eigen::VectorXd y(lines[r].size());
      int i = 0;
      for (const auto& [ranks, line] : lines[r]) {
        A(i, 0) = 1.0, A(i, 1) = 2.0 * (ranks - 1), y(i) = line->alpha_s;
        ++i;
      }
      const Eigen::Vector2d x = A.colPivHouseholderQr().solve(y);
      p.base_latency_s = std::max(0.0, x(0));
      p.step_latency_s = std::max(0.0, x(1) - route_latency_s);
    } else {
      p.base_latency_s = std::max(0.0, lines[r].at(n)->alpha_s - 2.0 * (n - 1) * (route_latency_s + p.step_latency_s));
    }
    report.push_back(std::string(r == 0 ? "ll" : r == 1 ? "ll128" : "simple") + ": base " +
                     std::to_string(p.base_latency_s * 1e6) + " us, step " + std::to_string(p.step_latency_s * 1e6) +
                     " us, efficiency " + std::to_string(p.efficiency));
  }
  return report;
}

} // namespace dcsim::calibration
