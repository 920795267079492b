#include "scheduler/multifactor.hpp"

#include <algorithm>

namespace dcsim {

double age_factor(double wait_s, double max_age_s)
{
  return std::clamp(wait_s / max_age_s, 0.0, 1.0);
}

double job_size_factor(int gpus, int gpus_per_node, int total_gpus, bool favor_small)
{
  const double nodes = static_cast<double>(total_gpus) / gpus_per_node;
  const double job_nodes = (gpus + gpus_per_node - 1) / gpus_per_node;
  if (favor_small) // Slurm gives a job of all the nodes 0 for its node part
    return ((nodes > job_nodes ? (nodes - job_nodes) / nodes : 0.0) +
            static_cast<double>(total_gpus - gpus) / total_gpus) /
           2;
  return (job_nodes / nodes + static_cast<double>(gpus) / total_gpus) / 2;
}

double multifactor_priority(const MultifactorConfig& config, double wait_s, double fair_share_factor, int gpus,
                            int gpus_per_node, int total_gpus)
{
  return config.weight_age * age_factor(wait_s, config.max_age_s) + config.weight_fair_share * fair_share_factor +
         config.weight_job_size * job_size_factor(gpus, gpus_per_node, total_gpus, config.favor_small);
}

} // namespace dcsim
