#include "sovrisk/streams.h"

#include <boost/math/distributions/poisson.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "stream_lanes.h"

namespace sovrisk {

namespace {

// The blocks of one path-month of the economy sub-stream (docs/model.md,
// "Random draws"). The numbering is part of the output format: changing it
// changes every result.
enum EconomyBlock : std::uint32_t {
  kShocks01 = 0,       // normals: eps_1, eps_2
  kShocks23 = 1,       // normals: eps_3, eps_4
  kLiquidityJump = 2,  // normals: eps_A, the month's first jump xi_1
  kUniforms = 3,       // uniforms: u_A, u_C
  kJumpCount = 4,      // uniforms: the count's (first half)
  kFurtherJumps = 5,   // normals from here on: xi_2, xi_3; then xi_4, xi_5; ...
};

// Model v2's blocks (sub-stream kModelV2).
enum ModelV2Block : std::uint32_t {
  kKeyRateGold = 0,  // normals: eps^i, eps^G
  kExternal = 1,     // uniforms: u^E (first half)
};

lanes::BlockCounter counter(std::uint64_t seed, SubStream kind, int month, std::uint32_t block) {
  if (month < 0 || month >= PathStreams::kMaxMonths) {
    throw std::invalid_argument("random streams: month " + std::to_string(month) +
                                " is outside the streams' range [0, 2^24)");
  }
  return {seed, block, static_cast<std::uint32_t>(month) | static_cast<std::uint32_t>(kind) << 24};
}

}  // namespace

BlockDraws::BlockDraws(int lanes)
    : shocks(lanes, kShockCount),
      liquidity_shock(lanes),
      auction_uniform(lanes),
      ceasefire_uniform(lanes),
      key_rate_shock(lanes),
      gold_shock(lanes),
      external_uniform(lanes),
      first_jump_normal(lanes),
      jump_count_uniform(lanes),
      unused(lanes) {}

PathStreams::PathStreams(std::uint64_t seed, const OilConfig& oil)
    : seed_(seed), jumps_per_month_(oil.jump_intensity / 12.0) {
  // Every jump is a draw: a mean past the limit is refused rather than left to
  // draw without end, and the count's table to grow without bound.
  if (!(jumps_per_month_ <= kMaxJumpsPerMonth)) {
    std::ostringstream message;
    message << "oil.jump_intensity " << oil.jump_intensity
            << " per year is above the engine's limit of " << 12 * kMaxJumpsPerMonth << " (eq. 2)";
    throw std::invalid_argument(message.str());
  }
  if (jumps_per_month_ > 0) {
    // The table ends where the upper tail falls below 2^-54: the largest
    // uniform, 1 - 2^-53, lies below that entry, so the entry is set to 1.
    const boost::math::poisson_distribution<double> count(jumps_per_month_);
    for (unsigned n = 0;; ++n) {
      const double above = boost::math::cdf(boost::math::complement(count, n));
      if (above < 0x1p-54) {
        jump_count_cdf_.push_back(1.0);
        break;
      }
      jump_count_cdf_.push_back(boost::math::cdf(count, n));
    }
  }
}

void PathStreams::fill(std::uint64_t first_path, int month, BlockDraws& out) const {
  const lanes::Kernel& kernel = lanes::fastest_kernel();
  const auto lanes = static_cast<int>(out.liquidity_shock.size());
  const auto economy = [&](std::uint32_t block) {
    return counter(seed_, SubStream::kEconomy, month, block);
  };
  kernel.normal_pairs(economy(kShocks01), first_path, lanes, out.shocks.col(0).data(),
                      out.shocks.col(1).data());
  kernel.normal_pairs(economy(kShocks23), first_path, lanes, out.shocks.col(2).data(),
                      out.shocks.col(3).data());
  kernel.normal_pairs(economy(kLiquidityJump), first_path, lanes, out.liquidity_shock.data(),
                      out.first_jump_normal.data());
  kernel.uniform_pairs(economy(kUniforms), first_path, lanes, out.auction_uniform.data(),
                       out.ceasefire_uniform.data());
  out.oil_jumps.clear();
  if (jump_count_cdf_.empty())
    return;
  kernel.uniform_pairs(economy(kJumpCount), first_path, lanes, out.jump_count_uniform.data(),
                       out.unused.data());
  for (int lane = 0; lane < lanes; ++lane) {
    const double u = out.jump_count_uniform[lane];
    int count = 0;
    while (u > jump_count_cdf_[count])
      ++count;
    if (count == 0)
      continue;
    out.oil_jumps.push_back({lane, out.first_jump_normal[lane]});
    // A second jump in one month is rare (about once in 7000 path-months at
    // the default intensity): its normals are drawn for its path alone.
    const std::uint64_t path = first_path + static_cast<std::uint64_t>(lane);
    for (int drawn = 1; drawn < count; drawn += 2) {
      double pair[2];
      kernel.normal_pairs(economy(kFurtherJumps + static_cast<std::uint32_t>(drawn - 1) / 2), path,
                          1, &pair[0], &pair[1]);
      out.oil_jumps.push_back({lane, pair[0]});
      if (drawn + 1 < count)
        out.oil_jumps.push_back({lane, pair[1]});
    }
  }
}

void PathStreams::fill_model_v2(std::uint64_t first_path, int month, BlockDraws& out,
                                int kinds) const {
  const lanes::Kernel& kernel = lanes::fastest_kernel();
  const auto lanes = static_cast<int>(out.key_rate_shock.size());
  kernel.normal_pairs(counter(seed_, SubStream::kModelV2, month, kKeyRateGold), first_path, lanes,
                      out.key_rate_shock.data(), out.gold_shock.data());
  if (kinds >= kExternalDraw) {
    kernel.uniform_pairs(counter(seed_, SubStream::kModelV2, month, kExternal), first_path, lanes,
                         out.external_uniform.data(), out.unused.data());
  }
}

std::vector<double> PathStreams::prior_uniforms(std::uint64_t seed, std::uint64_t path,
                                                std::size_t count) {
  const lanes::Kernel& kernel = lanes::fastest_kernel();
  // Two per block; the uniforms are in (0, 1), so every prior's quantile is finite.
  std::vector<double> out(count + 1);
  for (std::size_t i = 0; i < count; i += 2) {
    kernel.uniform_pairs(counter(seed, SubStream::kPriors, 0, static_cast<std::uint32_t>(i / 2)),
                         path, 1, &out[i], &out[i + 1]);
  }
  out.resize(count);
  return out;
}

}  // namespace sovrisk
