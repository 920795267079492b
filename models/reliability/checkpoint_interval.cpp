#include "reliability/checkpoint_interval.hpp"

#include <cmath>

namespace dcsim {

double young_interval_s(double checkpoint_s, double mtbi_s)
{
  return std::sqrt(2.0 * checkpoint_s * mtbi_s);
}

double daly_interval_s(double checkpoint_s, double mtbi_s)
{
  if (checkpoint_s >= 2.0 * mtbi_s)
    return mtbi_s;
  const double x = checkpoint_s / (2.0 * mtbi_s);
  return young_interval_s(checkpoint_s, mtbi_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - checkpoint_s;
}

double daly_expected_wall_s(double work_s, double interval_s, double checkpoint_s, double restart_s, double mtbi_s)
{
  return mtbi_s * std::exp(restart_s / mtbi_s) * std::expm1((interval_s + checkpoint_s) / mtbi_s) * work_s /
         interval_s;
}

} // namespace dcsim
