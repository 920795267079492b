// How often to checkpoint, and what failures cost, for a job whose interruptions arrive as a
// Poisson process with mean time between interrupts M (the textbook model the engine's failure
// clock also follows, so these formulas are its analytic check).
//
// Symbols as in Daly 2006: delta = time to write a checkpoint, R = time to restart (to be running
// again, checkpoint read included), tau = compute time between checkpoints, T_s = the job's
// failure-free compute time.
#pragma once

namespace dcsim {

/// Young 1974, first order: tau = sqrt(2 delta M).
double young_interval_s(double checkpoint_s, double mtbi_s);

/// Daly 2006, higher order: sqrt(2 delta M) [1 + sqrt(delta/2M)/3 + (delta/2M)/9] - delta for
/// delta < 2M, else M.
double daly_interval_s(double checkpoint_s, double mtbi_s);

/// Daly 2006's expected wall-clock time of a job with exponential interrupts that may also strike
/// while it writes a checkpoint or restarts: M e^(R/M) (e^((tau+delta)/M) - 1) T_s / tau.
double daly_expected_wall_s(double work_s, double interval_s, double checkpoint_s, double restart_s, double mtbi_s);

} // namespace dcsim
