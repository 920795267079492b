#include "fit/flash_attention_fit.hpp"

#include <algorithm>
#include <stdexcept>

namespace dcsim::calibration {

FlashAttentionCurve fit_flash_attention(const nlohmann::json& run, double peak_bf16_flop_per_s,
                                        const std::string& backend)
{
  if (!run.is_object() || !run.contains("rows") || !run["rows"].is_array())
    throw std::invalid_argument("expected an object with \"rows\" (scripts/device_attention.py's output)");
  struct Point {
    double seq, forward, backward;
  };
  std::vector<Point> points;
  for (const auto& row : run["rows"]) {
    if (!row.is_object() || row.value("backend", "") != backend || row.contains("error"))
      continue; // other kernels, and shapes the kernel refused
    for (const char* key : {"seq", "forward_tflops", "backward_tflops"})
      if (!row.contains(key) || !row[key].is_number())
        throw std::invalid_argument(std::string("a ") + backend + " row has no number \"" + key + "\"");
    points.push_back({row["seq"].get<double>(), row["forward_tflops"].get<double>() * 1e12 / peak_bf16_flop_per_s,
                      row["backward_tflops"].get<double>() * 1e12 / peak_bf16_flop_per_s});
  }
  if (points.empty())
    throw std::invalid_argument("no " + backend + " rows");
  std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.seq < b.seq; });
  FlashAttentionCurve curve;
  for (const Point& p : points) {
    if (!curve.seq_len.empty() && curve.seq_len.back() == p.seq)
      throw std::invalid_argument("two " + backend + " rows for sequence length " + std::to_string(long(p.seq)));
    curve.seq_len.push_back(p.seq);
    curve.forward.push_back(p.forward);
    curve.backward.push_back(p.backward);
  }
  if (const char* problem = curve.check())
    throw std::invalid_argument(std::string("the efficiencies ") + problem);
  return curve;
}

} // namespace dcsim::calibration
