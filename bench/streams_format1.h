// Stream format 1, sovrisk's random streams until stream format 2 replaced them
// (result format 1.2 and before), kept as a benchmark only: path by path,
// Philox4x64-10 through Random123's MicroURNG, keyed by (seed, path) at counter
// (month, sub-stream, 0, 0), with Boost's ziggurat normals, uniform_01 and
// Poisson, in the order format 1 drew a path-month of the economy sub-stream.
#pragma once

#include <Random123/philox.h>
// clang-format off
#include <Random123/MicroURNG.hpp>
// clang-format on
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cstdint>

#include "sovrisk/streams.h"

namespace sovrisk::format1 {

inline void fill(std::uint64_t seed, double jumps_per_month, std::uint64_t first_path, int month,
                 BlockDraws& out) {
  using Stream = r123::MicroURNG<r123::Philox4x64>;
  boost::random::normal_distribution<double> standard_normal;
  boost::random::uniform_01<double> uniform;
  boost::random::poisson_distribution<int, double> jump_count(jumps_per_month > 0 ? jumps_per_month
                                                                                  : 1.0);
  const auto lanes = static_cast<int>(out.liquidity_shock.size());
  out.oil_jumps.clear();
  for (int lane = 0; lane < lanes; ++lane) {
    Stream economy({{static_cast<std::uint64_t>(month), 0, 0, 0}},
                   {{seed, first_path + static_cast<std::uint64_t>(lane)}});
    for (int shock = 0; shock < kShockCount; ++shock)
      out.shocks(lane, shock) = standard_normal(economy);
    out.liquidity_shock[lane] = standard_normal(economy);
    out.auction_uniform[lane] = uniform(economy);
    out.ceasefire_uniform[lane] = uniform(economy);
    if (jumps_per_month > 0) {
      for (int n = jump_count(economy); n > 0; --n)
        out.oil_jumps.push_back({lane, standard_normal(economy)});
    }
  }
}

}  // namespace sovrisk::format1
