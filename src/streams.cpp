#include "sovrisk/streams.h"

// philox.h sets up Random123's feature macros that MicroURNG.hpp relies on.
#include <Random123/philox.h>
// clang-format off
#include <Random123/MicroURNG.hpp>
// clang-format on

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>

namespace sovrisk {
namespace {

using Philox = r123::Philox4x64;
using MonthStream = r123::MicroURNG<Philox>;

// Counter word 1 names the sub-stream, so that a new kind of draw added later
// gets a stream of its own instead of shifting the draws below.
constexpr std::uint64_t kEconomyStream = 0;

}  // namespace

BlockDraws::BlockDraws(int lanes)
    : shocks(lanes, kShockCount),
      liquidity_shock(lanes),
      auction_uniform(lanes),
      ceasefire_uniform(lanes),
      oil_jump(lanes) {}

PathStreams::PathStreams(std::uint64_t seed, const OilConfig& oil)
    : seed_(seed),
      jumps_per_month_(oil.jump_intensity / 12.0),
      jump_mean_(oil.jump_mean),
      jump_volatility_(oil.jump_volatility) {}

void PathStreams::fill(std::uint64_t first_path, int month, BlockDraws& out) const {
  boost::random::normal_distribution<double> standard_normal;
  boost::random::uniform_01<double> uniform;
  boost::random::normal_distribution<double> jump_size(jump_mean_, jump_volatility_);
  // Boost's Poisson needs a positive mean; with no jumps no count is drawn.
  boost::random::poisson_distribution<int, double> jump_count(
      jumps_per_month_ > 0 ? jumps_per_month_ : 1.0);
  const Philox::ctr_type counter = {{static_cast<std::uint64_t>(month), kEconomyStream, 0, 0}};
  const auto lanes = static_cast<int>(out.liquidity_shock.size());
  for (int lane = 0; lane < lanes; ++lane) {
    MonthStream stream(counter, {{seed_, first_path + static_cast<std::uint64_t>(lane)}});
    // The order below is part of the output format: changing it changes every result.
    for (int shock = 0; shock < kShockCount; ++shock)
      out.shocks(lane, shock) = standard_normal(stream);
    out.liquidity_shock[lane] = standard_normal(stream);
    out.auction_uniform[lane] = uniform(stream);
    out.ceasefire_uniform[lane] = uniform(stream);
    double jump = 0;
    if (jumps_per_month_ > 0) {
      for (int n = jump_count(stream); n > 0; --n)
        jump += jump_size(stream);
    }
    out.oil_jump[lane] = jump;
  }
}

}  // namespace sovrisk
