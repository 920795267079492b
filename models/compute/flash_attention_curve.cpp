#include "compute/flash_attention_curve.hpp"

#include <cmath>

namespace dcsim {

const char* FlashAttentionCurve::check() const
{
  if (seq_len.empty())
    return "has no points";
  if (forward.size() != seq_len.size() || backward.size() != seq_len.size())
    return "needs one forward and one backward efficiency per sequence length";
  for (size_t i = 0; i < seq_len.size(); ++i) {
    if (!(seq_len[i] >= 1) || (i > 0 && !(seq_len[i] > seq_len[i - 1])))
      return "needs sequence lengths of at least 1, strictly ascending";
    if (!(forward[i] > 0 && forward[i] <= 1 && backward[i] > 0 && backward[i] <= 1))
      return "needs efficiencies in (0, 1]";
  }
  return nullptr;
}

double FlashAttentionCurve::efficiency(double s, bool is_backward) const
{
  const std::vector<double>& e = is_backward ? backward : forward;
  if (s <= seq_len.front())
    return e.front();
  if (s >= seq_len.back())
    return e.back();
  size_t i = 1;
  while (seq_len[i] < s)
    ++i;
  const double t = std::log2(s / seq_len[i - 1]) / std::log2(seq_len[i] / seq_len[i - 1]);
  return e[i - 1] + t * (e[i] - e[i - 1]);
}

} // namespace dcsim
