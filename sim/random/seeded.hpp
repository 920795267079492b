// Random draws that give the same numbers on every standard library: the distributions of
// <random> (uniform_real_distribution, std::shuffle, ...) are left to each implementation, so
// results keyed by a seed would differ between libstdc++ and libc++. Only the engine
// (mt19937_64, fully specified) comes from the standard.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace dcsim {

/// A generator for (seed, salt): different salts give independent streams for one seed.
inline std::mt19937_64 seeded_engine(std::uint64_t seed, std::uint64_t salt)
{
  return std::mt19937_64(seed * 0x9E3779B97F4A7C15ULL + salt);
}

/// Uniform in [0, 1), from 53 random bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// A permutation of 0..n-1 (Fisher-Yates on uniform01).
std::vector<int> seeded_permutation(int n, std::mt19937_64& rng);

} // namespace dcsim
