#include "sovrisk/streams.h"

#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <sstream>
#include <stdexcept>

namespace sovrisk {

BlockDraws::BlockDraws(int lanes)
    : shocks(lanes, kShockCount),
      liquidity_shock(lanes),
      auction_uniform(lanes),
      ceasefire_uniform(lanes),
      key_rate_shock(lanes),
      gold_shock(lanes),
      external_uniform(lanes) {}

PathStreams::PathStreams(std::uint64_t seed, const OilConfig& oil)
    : seed_(seed), jumps_per_month_(oil.jump_intensity / 12.0) {
  // Boost's Poisson draw overflows its int (undefined) for huge means, and every
  // jump is a draw: a mean past the limit is refused rather than left to hang.
  if (!(jumps_per_month_ <= kMaxJumpsPerMonth)) {
    std::ostringstream message;
    message << "oil.jump_intensity " << oil.jump_intensity
            << " per year is above the engine's limit of " << 12 * kMaxJumpsPerMonth << " (eq. 2)";
    throw std::invalid_argument(message.str());
  }
}

PathStreams::Stream PathStreams::stream(SubStream kind, std::uint64_t path, int month) const {
  return Stream({{static_cast<std::uint64_t>(month), static_cast<std::uint64_t>(kind), 0, 0}},
                {{seed_, path}});
}

void PathStreams::fill(std::uint64_t first_path, int month, BlockDraws& out) const {
  boost::random::normal_distribution<double> standard_normal;
  boost::random::uniform_01<double> uniform;
  // Boost's Poisson needs a positive mean; with no jumps no count is drawn.
  boost::random::poisson_distribution<int, double> jump_count(
      jumps_per_month_ > 0 ? jumps_per_month_ : 1.0);
  const auto lanes = static_cast<int>(out.liquidity_shock.size());
  out.oil_jumps.clear();
  for (int lane = 0; lane < lanes; ++lane) {
    Stream economy =
        stream(SubStream::kEconomy, first_path + static_cast<std::uint64_t>(lane), month);
    // The order below is part of the output format: changing it changes every result.
    for (int shock = 0; shock < kShockCount; ++shock)
      out.shocks(lane, shock) = standard_normal(economy);
    out.liquidity_shock[lane] = standard_normal(economy);
    out.auction_uniform[lane] = uniform(economy);
    out.ceasefire_uniform[lane] = uniform(economy);
    if (jumps_per_month_ > 0) {
      for (int n = jump_count(economy); n > 0; --n)
        out.oil_jumps.push_back({lane, standard_normal(economy)});
    }
  }
}

void PathStreams::fill_model_v2(std::uint64_t first_path, int month, BlockDraws& out,
                                int kinds) const {
  boost::random::normal_distribution<double> standard_normal;
  boost::random::uniform_01<double> uniform;
  const auto lanes = static_cast<int>(out.key_rate_shock.size());
  for (int lane = 0; lane < lanes; ++lane) {
    Stream model_v2 =
        stream(SubStream::kModelV2, first_path + static_cast<std::uint64_t>(lane), month);
    // The order below is part of the output format of model-v2 configs: a new
    // kind of draw goes after the last, so that it shifts none of these.
    out.key_rate_shock[lane] = standard_normal(model_v2);
    if (kinds >= kGoldDraw)
      out.gold_shock[lane] = standard_normal(model_v2);
    if (kinds >= kExternalDraw)
      out.external_uniform[lane] = uniform(model_v2);
  }
}

std::vector<double> PathStreams::prior_uniforms(std::uint64_t path, std::size_t count) const {
  boost::random::uniform_01<double> uniform;
  Stream priors = stream(SubStream::kPriors, path, 0);
  std::vector<double> out(count);
  for (double& u : out) {
    // uniform_01 may give 0, where an unbounded prior's quantile is infinite:
    // drawn again (probability 2^-53 a draw), so that every value is finite.
    do
      u = uniform(priors);
    while (u == 0.0);
  }
  return out;
}

}  // namespace sovrisk
