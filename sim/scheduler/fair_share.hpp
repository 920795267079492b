// Fair share between groups of jobs (scheduler.policy: fair_share), as Slurm's classic
// fair-share factor computes it (slurm.schedmd.com/classic_fair_share.html): each group's usage
// is its GPU-seconds decayed with a half-life, its factor 2^(-U/S) with U its share of all
// groups' decayed usage and S its share of the cluster; the queue runs in order of the factor.
#pragma once

#include <utility>
#include <vector>

namespace dcsim {

/// `usage_gpu_s` decayed over `elapsed_s` with `half_life_s`, plus what `gpus` held all that
/// time add (each GPU-second decaying from the moment it was used).
double decayed_usage(double usage_gpu_s, int gpus, double elapsed_s, double half_life_s);

/// Each group's factor in (0, 1]: 2^(-(usage_g / total usage) / share_g); 1 for every group
/// while nothing has been used. `shares` sum to 1.
std::vector<double> fair_share_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares);

/// Slurm's Fair Tree (slurm.schedmd.com/fair_tree.html, its default since 19.05) for groups
/// directly under the root: each group's level fairshare share_g / (usage_g / total usage)
/// (infinite without usage) ranks it, and its factor is its rank over the number of groups, the
/// highest 1; groups of equal level fairshare share the rank of the first of them.
std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares);

/// The same with accounts above some groups (`account_of[g]`: the group's account, -1: none):
/// the accounts and the groups in none are ranked first, each account by its groups' summed
/// share and usage; the groups of an account then by their level fairshare within it, share /
/// account share over usage / account usage. Groups go in that order (ties on both levels share
/// the first one's rank).
std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares,
                                      const std::vector<int>& account_of);

/// The same over a deeper tree: accounts may sit under accounts (`account_parent[a]`: the account
/// above account a, -1: the root). Fair Tree walks the tree depth first, each node's children
/// (accounts and groups) in order of their level fairshare within it, an account's share and
/// usage being those of all the groups below it; a group's place is its path of level
/// fairshares from the root (a shorter path repeats its last value). Groups on equal paths share
/// the first one's rank.
std::vector<double> fair_tree_factors(const std::vector<double>& usage_gpu_s, const std::vector<double>& shares,
                                      const std::vector<int>& account_of, const std::vector<int>& account_parent);

} // namespace dcsim
