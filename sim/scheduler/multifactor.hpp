// Slurm's multifactor job priority (slurm.schedmd.com/priority_multifactor.html; the factors as
// src/plugins/priority/multifactor/priority_multifactor.c computes them): the weighted sum of
//   age        the job's wait over PriorityMaxAge, at most 1;
//   fair share the job's group's factor 2^(-U/S) (fair_share.hpp; 1 for jobs in no group);
//   job size   the mean of its share of the cluster's nodes and of its GPUs (Slurm: CPUs), or,
//              favoring small jobs, of the nodes and GPUs it leaves free.
// Partition, QOS, association, TRES and nice factors have no counterpart here.
#pragma once

#include "config/scenario_config.hpp"

namespace dcsim {

double age_factor(double wait_s, double max_age_s);
/// A job of `gpus` on a cluster of `total_gpus` in nodes of `gpus_per_node`.
double job_size_factor(int gpus, int gpus_per_node, int total_gpus, bool favor_small);
double multifactor_priority(const MultifactorConfig& config, double wait_s, double fair_share_factor, int gpus,
                            int gpus_per_node, int total_gpus);

} // namespace dcsim
