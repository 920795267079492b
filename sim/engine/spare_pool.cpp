#include "engine/spare_pool.hpp"

#include <algorithm>

namespace dcsim {

SparePool::SparePool(int spares) : free_(spares) { stats_.spares = spares; }

double SparePool::replace(double failed_s, double repair_s)
{
  if (stats_.spares < 0)
    return failed_s;
  while (!returns_s_.empty() && returns_s_.top() <= failed_s) { // repaired by now: spares again
    returns_s_.pop();
    ++free_;
  }
  ++stats_.replacements;
  returns_s_.push(failed_s + repair_s); // the failed node, in repair until then
  double replaced_s = failed_s;
  if (free_ > 0) {
    --free_;
  } else { // the first node back from repair (possibly the failed one itself) replaces it
    replaced_s = returns_s_.top();
    returns_s_.pop();
    ++stats_.waits;
    stats_.wait_s += replaced_s - failed_s;
    stats_.max_wait_s = std::max(stats_.max_wait_s, replaced_s - failed_s);
  }
  return replaced_s;
}

} // namespace dcsim
