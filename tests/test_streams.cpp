// Stream format 2 (docs/model.md, "Random draws"): the counters each draw comes
// from, the kernel against Random123 and across vector widths, the transform's
// accuracy, and a statistical battery over the draws the model consumes.
// Statistical checks use fixed seeds and allow 5 standard errors (a false alarm
// about once in 1.7 million), or the stated quantile of the test's law.
#include <gtest/gtest.h>

#include <Random123/philox.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <iostream>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/streams.h"
#include "stream_lanes.h"
#include "test_support.h"

namespace sovrisk {
namespace {

constexpr std::uint64_t kSeed = 20261206;

OilConfig oil_with_jumps_per_year(double intensity) {
  OilConfig oil;
  oil.jump_intensity = intensity;
  return oil;
}

std::uint32_t month_kind(int month, SubStream kind) {
  return static_cast<std::uint32_t>(month) | static_cast<std::uint32_t>(kind) << 24;
}

// The instances of the kernel this CPU runs (2 lanes always).
std::vector<const lanes::Kernel*> kernels() {
  std::vector<const lanes::Kernel*> out;
  for (int width : {2, 4, 8}) {
    if (const lanes::Kernel* kernel = lanes::kernel_of_width(width))
      out.push_back(kernel);
  }
  return out;
}

std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

double uniform_of(std::uint64_t word) {
  return (static_cast<double>(word >> 12) + 0.5) * 0x1p-52;
}

// ------------------------------------------------------------ the kernel

TEST(StreamKernel, WordsAreRandom123sPhilox4x32) {
  const std::uint64_t seed = 0x0123456789abcdefull;
  // Paths across a 2^32 boundary, so the counter's high word is checked too.
  const std::uint64_t first_path = (std::uint64_t{1} << 32) - 37;
  const int count = 101;
  const lanes::BlockCounter counter{seed, 7, month_kind(5, SubStream::kModelV2)};
  r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  for (const lanes::Kernel* kernel : kernels()) {
    std::vector<std::uint32_t> words(4 * count);
    kernel->words(counter, first_path, count, words.data());
    for (int i = 0; i < count; ++i) {
      const std::uint64_t path = first_path + i;
      const r123::Philox4x32::ctr_type ctr = {{counter.block, counter.month_kind,
                                               static_cast<std::uint32_t>(path),
                                               static_cast<std::uint32_t>(path >> 32)}};
      const auto expected = philox(ctr, key);
      for (int w = 0; w < 4; ++w)
        ASSERT_EQ(words[4 * i + w], expected[w]) << "width " << kernel->width << " lane " << i;
    }
  }
}

// The uniforms are the block's 64-bit halves (x0 x1) and (x2 x3), exactly
// (x >> 12 + 1/2) 2^-52: in (0, 1), never 0 or 1.
TEST(StreamKernel, UniformsAreTheWordsHalvesExactly) {
  const int count = 333;
  const lanes::BlockCounter counter{kSeed, 3, month_kind(11, SubStream::kEconomy)};
  for (const lanes::Kernel* kernel : kernels()) {
    std::vector<std::uint32_t> words(4 * count);
    std::vector<double> first(count), second(count);
    kernel->words(counter, 500, count, words.data());
    kernel->uniform_pairs(counter, 500, count, first.data(), second.data());
    for (int i = 0; i < count; ++i) {
      const std::uint32_t* w = &words[4 * i];
      ASSERT_EQ(first[i], uniform_of(std::uint64_t{w[0]} << 32 | w[1]));
      ASSERT_EQ(second[i], uniform_of(std::uint64_t{w[2]} << 32 | w[3]));
    }
  }
  EXPECT_EQ(uniform_of(0), 0x1p-53);
  EXPECT_EQ(uniform_of(~std::uint64_t{0}), 1 - 0x1p-53);
}

// Every instance gives the same bits, for any count (whole vectors, a tail, a
// single lane) and any first path; normal_pairs is box_muller of the uniforms.
TEST(StreamKernel, EveryWidthGivesTheSameBits) {
  const std::vector<const lanes::Kernel*> all = kernels();
  std::cout << "[ info     ] kernel widths this CPU runs:";
  for (const lanes::Kernel* kernel : all)
    std::cout << " " << kernel->width;
  std::cout << " (the fastest: " << lanes::fastest_kernel().width << ")\n";
  for (int count : {1, 3, 8, 63, 64, 65, 1024}) {
    for (std::uint64_t first_path : {std::uint64_t{0}, std::uint64_t{1} << 40}) {
      const lanes::BlockCounter counter{kSeed, 2, month_kind(count, SubStream::kEconomy)};
      std::vector<double> u(count), v(count), ref0(count), ref1(count);
      all.front()->uniform_pairs(counter, first_path, count, u.data(), v.data());
      all.front()->normal_pairs(counter, first_path, count, ref0.data(), ref1.data());
      for (const lanes::Kernel* kernel : all) {
        std::vector<double> z0(count), z1(count), b0(count), b1(count);
        kernel->normal_pairs(counter, first_path, count, z0.data(), z1.data());
        kernel->box_muller(u.data(), v.data(), count, b0.data(), b1.data());
        for (int i = 0; i < count; ++i) {
          ASSERT_EQ(bits(z0[i]), bits(ref0[i])) << "width " << kernel->width << " lane " << i;
          ASSERT_EQ(bits(z1[i]), bits(ref1[i])) << "width " << kernel->width << " lane " << i;
          ASSERT_EQ(bits(b0[i]), bits(ref0[i])) << "width " << kernel->width << " lane " << i;
          ASSERT_EQ(bits(b1[i]), bits(ref1[i])) << "width " << kernel->width << " lane " << i;
        }
      }
    }
  }
}

// The transform against long double arithmetic, over the uniforms' whole
// range: u from the smallest, 2^-53 (radius 8.57, so the normal's tails to
// 8.5 sigma), to the largest, and angles around the circle. The error is
// within 4 ulps of the radius (logarithm, square root and the product) plus
// 2^-52 of the radius for the angle: so the tail probability P(|Z| > x) of
// the draws is the exact one of Box-Muller on the uniforms' grid, to the
// grid's resolution (2^-52), at 6 sigma as at 1.
TEST(StreamKernel, BoxMullerIsAccurateIntoTheFarTails) {
  std::vector<double> u, v;
  for (double e = -53; e < 0; e += 0.03125) {
    for (double turn : {0.0, 0.01, 0.125, 0.2, 0.25, 0.3337, 0.5, 0.61, 0.75, 0.875, 0.999}) {
      u.push_back(std::exp2(e));
      v.push_back(turn == 0.0 ? 0x1p-53 : turn);
    }
  }
  u.push_back(1 - 0x1p-53);
  v.push_back(1 - 0x1p-53);
  const int count = static_cast<int>(u.size());
  for (const lanes::Kernel* kernel : kernels()) {
    std::vector<double> z0(count), z1(count);
    kernel->box_muller(u.data(), v.data(), count, z0.data(), z1.data());
    for (int i = 0; i < count; ++i) {
      const long double radius = std::sqrt(-2.0L * std::log(static_cast<long double>(u[i])));
      const long double angle = 2.0L * 3.14159265358979323846264338327950288L * v[i];
      const double tolerance = radius * (4 * 0x1p-53 + 0x1p-52);
      ASSERT_NEAR(z0[i], static_cast<double>(radius * std::cos(angle)), tolerance)
          << "u " << u[i] << " v " << v[i];
      ASSERT_NEAR(z1[i], static_cast<double>(radius * std::sin(angle)), tolerance)
          << "u " << u[i] << " v " << v[i];
    }
  }
}

// ------------------------------------------------------------ the counters

// Each draw of PathStreams comes from the block and half that docs/model.md
// names: a change of layout changes every result, so it is spelled out here.
TEST(Streams, DrawsComeFromTheDocumentedCounters) {
  const PathStreams streams(kSeed, oil_with_jumps_per_year(30));  // 2.5 jumps a month
  const lanes::Kernel& kernel = *lanes::kernel_of_width(2);
  const int count = 200, month = 17;
  const std::uint64_t first_path = 12345;
  BlockDraws draws(count);
  streams.fill(first_path, month, draws);
  streams.fill_model_v2(first_path, month, draws);
  auto pair = [&](bool normals, SubStream kind, std::uint32_t block, std::uint64_t path) {
    double out[2];
    const lanes::BlockCounter counter{kSeed, block, month_kind(month, kind)};
    (normals ? kernel.normal_pairs : kernel.uniform_pairs)(counter, path, 1, &out[0], &out[1]);
    return std::pair<double, double>(out[0], out[1]);
  };
  const boost::math::poisson_distribution<double> law(30.0 / 12);
  std::size_t jump = 0;
  for (int lane = 0; lane < count; ++lane) {
    const std::uint64_t path = first_path + lane;
    const auto economy = SubStream::kEconomy;
    EXPECT_EQ(draws.shocks(lane, 0), pair(true, economy, 0, path).first);
    EXPECT_EQ(draws.shocks(lane, 1), pair(true, economy, 0, path).second);
    EXPECT_EQ(draws.shocks(lane, 2), pair(true, economy, 1, path).first);
    EXPECT_EQ(draws.shocks(lane, 3), pair(true, economy, 1, path).second);
    EXPECT_EQ(draws.liquidity_shock[lane], pair(true, economy, 2, path).first);
    EXPECT_EQ(draws.auction_uniform[lane], pair(false, economy, 3, path).first);
    EXPECT_EQ(draws.ceasefire_uniform[lane], pair(false, economy, 3, path).second);
    EXPECT_EQ(draws.key_rate_shock[lane], pair(true, SubStream::kModelV2, 0, path).first);
    EXPECT_EQ(draws.gold_shock[lane], pair(true, SubStream::kModelV2, 0, path).second);
    EXPECT_EQ(draws.external_uniform[lane], pair(false, SubStream::kModelV2, 1, path).first);
    // The count inverts the Poisson law at block 4's first uniform; the first
    // jump's normal is block 2's second, the others blocks 5, 6, ... in pairs.
    const double u = pair(false, economy, 4, path).first;
    int jumps = 0;
    while (u > boost::math::cdf(law, jumps))
      ++jumps;
    for (int n = 0; n < jumps; ++n, ++jump) {
      ASSERT_LT(jump, draws.oil_jumps.size());
      EXPECT_EQ(draws.oil_jumps[jump].lane, lane);
      const double expected = n == 0       ? pair(true, economy, 2, path).second
                              : n % 2 == 1 ? pair(true, economy, 5 + (n - 1) / 2, path).first
                                           : pair(true, economy, 5 + (n - 1) / 2, path).second;
      EXPECT_EQ(draws.oil_jumps[jump].normal, expected) << "lane " << lane << " jump " << n;
    }
  }
  EXPECT_EQ(jump, draws.oil_jumps.size());
  // Priors: uniform i is half i % 2 of block i / 2 of sub-stream 2, month 0.
  const std::vector<double> priors = PathStreams::prior_uniforms(kSeed, first_path, 5);
  ASSERT_EQ(priors.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    double out[2];
    const lanes::BlockCounter counter{kSeed, static_cast<std::uint32_t>(i / 2),
                                      month_kind(0, SubStream::kPriors)};
    kernel.uniform_pairs(counter, first_path, 1, &out[0], &out[1]);
    EXPECT_EQ(priors[i], out[i % 2]);
  }
  EXPECT_THROW(streams.fill(0, PathStreams::kMaxMonths, draws), std::invalid_argument);
}

// A lane draws what its path draws in a block of its own: which block, thread
// or rank computes a path never matters.
TEST(Streams, ALaneDrawsWhatItsPathDrawsAlone) {
  const PathStreams streams(kSeed, oil_with_jumps_per_year(24));
  const int count = 77, month = 4;
  const std::uint64_t first_path = 999;
  BlockDraws block(count), alone(1);
  streams.fill(first_path, month, block);
  streams.fill_model_v2(first_path, month, block);
  std::size_t jump = 0;
  for (int lane = 0; lane < count; ++lane) {
    streams.fill(first_path + lane, month, alone);
    streams.fill_model_v2(first_path + lane, month, alone);
    for (int s = 0; s < kShockCount; ++s)
      ASSERT_EQ(block.shocks(lane, s), alone.shocks(0, s));
    ASSERT_EQ(block.liquidity_shock[lane], alone.liquidity_shock[0]);
    ASSERT_EQ(block.auction_uniform[lane], alone.auction_uniform[0]);
    ASSERT_EQ(block.ceasefire_uniform[lane], alone.ceasefire_uniform[0]);
    ASSERT_EQ(block.key_rate_shock[lane], alone.key_rate_shock[0]);
    ASSERT_EQ(block.gold_shock[lane], alone.gold_shock[0]);
    ASSERT_EQ(block.external_uniform[lane], alone.external_uniform[0]);
    for (const OilJump& j : alone.oil_jumps) {
      ASSERT_LT(jump, block.oil_jumps.size());
      ASSERT_EQ(block.oil_jumps[jump].lane, lane);
      ASSERT_EQ(block.oil_jumps[jump].normal, j.normal);
      ++jump;
    }
  }
  EXPECT_EQ(jump, block.oil_jumps.size());
  EXPECT_GT(jump, std::size_t(count));  // several jumps a month: the further blocks were drawn
}

// Sub-streams, months and blocks are distinct counters: no two give the same words.
TEST(Streams, SubStreamsMonthsAndBlocksAreDistinctCounters) {
  const lanes::Kernel& kernel = *lanes::kernel_of_width(2);
  const int count = 256;
  std::vector<std::vector<std::uint32_t>> seen;
  for (SubStream kind : {SubStream::kEconomy, SubStream::kModelV2, SubStream::kPriors}) {
    for (int month : {0, 1, (1 << 24) - 1}) {
      for (std::uint32_t block : {0u, 1u, 5u}) {
        std::vector<std::uint32_t> words(4 * count);
        kernel.words({kSeed, block, month_kind(month, kind)}, 0, count, words.data());
        for (const auto& other : seen) {
          for (int i = 0; i < 4 * count; i += 4)
            ASSERT_FALSE(std::equal(&words[i], &words[i] + 4, &other[i]));
        }
        seen.push_back(std::move(words));
      }
    }
  }
}

// ------------------------------------------------------------ the battery

// n draws of one kind from the engine's blocks, months 0, 1, ... of paths 0 ..
// kBlock - 1, then of the next block of paths, until n are drawn.
std::vector<double> drawn(std::size_t n,
                          const std::function<const double*(const BlockDraws&)>& kind,
                          double jump_intensity = 0.2, bool model_v2 = false) {
  constexpr int kBlock = 1024, kMonths = 64;
  const PathStreams streams(kSeed, oil_with_jumps_per_year(jump_intensity));
  BlockDraws draws(kBlock);
  std::vector<double> out;
  out.reserve(n);
  for (std::uint64_t first = 0; out.size() < n; first += kBlock) {
    for (int month = 0; month < kMonths && out.size() < n; ++month) {
      streams.fill(first, month, draws);
      if (model_v2)
        streams.fill_model_v2(first, month, draws);
      const double* values = kind(draws);
      out.insert(out.end(), values, values + std::min<std::size_t>(kBlock, n - out.size()));
    }
  }
  return out;
}

struct Moments {
  double mean = 0, variance = 0, skewness = 0, kurtosis = 0;
};
Moments moments(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  Moments m;
  for (double v : x)
    m.mean += v / n;
  double m2 = 0, m3 = 0, m4 = 0;
  for (double v : x) {
    const double d = v - m.mean;
    m2 += d * d / n;
    m3 += d * d * d / n;
    m4 += d * d * d * d / n;
  }
  m.variance = m2;
  m.skewness = m3 / std::pow(m2, 1.5);
  m.kurtosis = m4 / (m2 * m2);
  return m;
}

// Every normal the model draws, by kind: mean 0, variance 1, skewness 0 and
// kurtosis 3, each within 5 standard errors (1, sqrt 2, sqrt 6, sqrt 24 over sqrt n).
TEST(StreamBattery, NormalMomentsOfEveryKind) {
  const std::size_t n = std::size_t{1} << 20;
  const double root_n = std::sqrt(static_cast<double>(n));
  const std::vector<std::pair<const char*, std::function<const double*(const BlockDraws&)>>> kinds =
      {{"eps_1", [](const BlockDraws& d) { return d.shocks.col(0).data(); }},
       {"eps_2", [](const BlockDraws& d) { return d.shocks.col(1).data(); }},
       {"eps_3", [](const BlockDraws& d) { return d.shocks.col(2).data(); }},
       {"eps_4", [](const BlockDraws& d) { return d.shocks.col(3).data(); }},
       {"eps_A", [](const BlockDraws& d) { return d.liquidity_shock.data(); }},
       {"first jump", [](const BlockDraws& d) { return d.first_jump_normal.data(); }},
       {"eps^i", [](const BlockDraws& d) { return d.key_rate_shock.data(); }},
       {"eps^G", [](const BlockDraws& d) { return d.gold_shock.data(); }}};
  for (const auto& [name, kind] : kinds) {
    const Moments m = moments(drawn(n, kind, 0.2, true));
    EXPECT_NEAR(m.mean, 0, 5 / root_n) << name;
    EXPECT_NEAR(m.variance, 1, 5 * std::sqrt(2.0) / root_n) << name;
    EXPECT_NEAR(m.skewness, 0, 5 * std::sqrt(6.0) / root_n) << name;
    EXPECT_NEAR(m.kurtosis, 3, 5 * std::sqrt(24.0) / root_n) << name;
  }
}

// The tails P(|Z| > x) for x = 1 .. 5 of 2^23 normals (the four shocks, two
// million each) against the normal law's, within 5 binomial standard errors
// and one count (at 5 sigma about 5 are expected);
// beyond 5 sigma, BoxMullerIsAccurateIntoTheFarTails bounds them.
TEST(StreamBattery, NormalTails) {
  const std::size_t per_kind = std::size_t{1} << 21;
  std::vector<double> z;
  for (int s = 0; s < kShockCount; ++s) {
    const std::vector<double> one =
        drawn(per_kind, [s](const BlockDraws& d) { return d.shocks.col(s).data(); });
    z.insert(z.end(), one.begin(), one.end());
  }
  const double n = static_cast<double>(z.size());
  const boost::math::normal_distribution<double> normal;
  for (double x : {1.0, 2.0, 3.0, 4.0, 4.5, 5.0}) {
    double beyond = 0;
    for (double v : z)
      beyond += std::fabs(v) > x;
    const double p = 2 * boost::math::cdf(boost::math::complement(normal, x));
    EXPECT_NEAR(beyond, n * p, 5 * std::sqrt(n * p * (1 - p)) + 1) << "beyond " << x << " sigma";
  }
}

// Kolmogorov-Smirnov of 2^20 liquidity shocks against N(0, 1): sqrt(n) D below
// 2.23, the Kolmogorov law's 1 - 10^-4 quantile.
TEST(StreamBattery, NormalsPassKolmogorovSmirnov) {
  std::vector<double> z =
      drawn(std::size_t{1} << 20, [](const BlockDraws& d) { return d.liquidity_shock.data(); });
  std::sort(z.begin(), z.end());
  const boost::math::normal_distribution<double> normal;
  const double n = static_cast<double>(z.size());
  double distance = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double f = boost::math::cdf(normal, z[i]);
    distance = std::max({distance, (i + 1) / n - f, f - i / n});
  }
  EXPECT_LT(std::sqrt(n) * distance, 2.23);
}

// A chi-square statistic's distance from its degrees of freedom in standard
// errors (sqrt(2 df)).
double chi_square_z(const std::vector<double>& counts, double expected) {
  double chi2 = 0;
  for (double c : counts)
    chi2 += (c - expected) * (c - expected) / expected;
  const double df = static_cast<double>(counts.size() - 1);
  return (chi2 - df) / std::sqrt(2 * df);
}

// Uniforms of every kind are equidistributed in 2^12 bins of their value and
// in 2^8 bins of their lowest 8 mantissa bits (2^22 each; within 5 standard
// errors of the chi-square).
TEST(StreamBattery, UniformsAreEquidistributed) {
  const std::size_t n = std::size_t{1} << 22;
  const std::vector<std::pair<const char*, std::function<const double*(const BlockDraws&)>>> kinds =
      {{"u_A", [](const BlockDraws& d) { return d.auction_uniform.data(); }},
       {"u_C", [](const BlockDraws& d) { return d.ceasefire_uniform.data(); }},
       {"count's", [](const BlockDraws& d) { return d.jump_count_uniform.data(); }},
       {"u^E", [](const BlockDraws& d) { return d.external_uniform.data(); }}};
  for (const auto& [name, kind] : kinds) {
    const std::vector<double> u = drawn(n, kind, 0.2, true);
    std::vector<double> high(1 << 12), low(1 << 8);
    for (double x : u) {
      ASSERT_GT(x, 0);
      ASSERT_LT(x, 1);
      ++high[static_cast<std::size_t>(x * high.size())];
      ++low[static_cast<std::uint64_t>(x * 0x1p52) & 0xFF];
    }
    EXPECT_LT(std::fabs(chi_square_z(high, double(n) / high.size())), 5) << name;
    EXPECT_LT(std::fabs(chi_square_z(low, double(n) / low.size())), 5) << name;
  }
}

// Pairs that must be independent, as points in 64 x 64 cells of the unit
// square (chi-square within 5 standard errors), and as correlations of normals
// (within 5 / sqrt n): neighbouring paths (lanes), neighbouring months of a
// path, two sub-streams at the same path and month, the two halves of one
// block, and two blocks of one path-month.
TEST(StreamBattery, NeighbouringStreamsAreIndependent) {
  constexpr int kLanes = 1024, kMonths = 512;
  const PathStreams streams(kSeed, oil_with_jumps_per_year(0.2));
  BlockDraws now(kLanes), next(kLanes);
  const boost::math::normal_distribution<double> normal;
  struct Pairs {
    const char* name;
    std::vector<double> cells = std::vector<double>(64 * 64);
    double sum_xy = 0, n = 0;
    void add(double u, double v, double x, double y) {
      ++cells[static_cast<int>(u * 64) * 64 + static_cast<int>(v * 64)];
      sum_xy += x * y;
      ++n;
    }
  };
  Pairs lanes{"neighbouring paths"}, months{"neighbouring months"}, kinds{"economy and model v2"},
      halves{"one block's halves"}, blocks{"blocks 0 and 1"};
  streams.fill(0, 0, now);
  streams.fill_model_v2(0, 0, now);
  for (int month = 0; month < kMonths; ++month) {
    streams.fill(0, month + 1, next);
    streams.fill_model_v2(0, month + 1, next);
    for (int lane = 0; lane < kLanes; ++lane) {
      const double u = now.auction_uniform[lane];
      const double z = now.shocks(lane, 0);
      const double phi = boost::math::cdf(normal, z);
      if (lane + 1 < kLanes) {
        lanes.add(u, now.auction_uniform[lane + 1], z, now.shocks(lane + 1, 0));
      }
      months.add(u, next.auction_uniform[lane], z, next.shocks(lane, 0));
      kinds.add(now.external_uniform[lane], u, now.key_rate_shock[lane], z);
      halves.add(u, now.ceasefire_uniform[lane], z, now.shocks(lane, 1));
      blocks.add(phi, boost::math::cdf(normal, now.shocks(lane, 2)), z, now.shocks(lane, 2));
    }
    std::swap(now, next);
  }
  for (const Pairs* p : {&lanes, &months, &kinds, &halves, &blocks}) {
    EXPECT_LT(std::fabs(chi_square_z(p->cells, p->n / p->cells.size())), 5) << p->name;
    EXPECT_LT(std::fabs(p->sum_xy / p->n), 5 / std::sqrt(p->n)) << p->name;
  }
}

// The jump count follows the Poisson law of lambda Delta, at the default
// scenario's rate (0.2 a year) and a high one (2.5 a month): the frequencies of
// 0 .. 5 and more jumps by chi-square (tail probability above 5.7e-7, that of 5
// standard errors), and the mean
// within 5 standard errors (sqrt(lambda Delta / n)).
TEST(StreamBattery, JumpCountsFollowThePoissonLaw) {
  for (double per_year : {0.2, 30.0}) {
    const double mean = per_year / 12;
    const PathStreams streams(kSeed, oil_with_jumps_per_year(per_year));
    BlockDraws draws(1024);
    const int cells = 6;
    std::vector<double> frequency(cells);
    double lanes = 0, jumps = 0;
    for (std::uint64_t first = 0; first < 32 * 1024; first += 1024) {
      for (int month = 0; month < 64; ++month) {
        streams.fill(first, month, draws);
        std::vector<int> count(1024);
        for (const OilJump& j : draws.oil_jumps)
          ++count[j.lane];
        for (int c : count)
          ++frequency[std::min(c, cells - 1)];
        lanes += 1024;
        jumps += static_cast<double>(draws.oil_jumps.size());
      }
    }
    const boost::math::poisson_distribution<double> law(mean);
    double chi2 = 0, df = -1;
    for (int c = 0; c < cells; ++c) {
      const double p = c + 1 < cells ? boost::math::pdf(law, c)
                                     : boost::math::cdf(boost::math::complement(law, c - 1));
      // Cells expected to hold fewer than 5 are pooled out of the statistic.
      if (lanes * p < 5)
        continue;
      chi2 += (frequency[c] - lanes * p) * (frequency[c] - lanes * p) / (lanes * p);
      ++df;
    }
    ASSERT_GE(df, 1);
    // Few cells: the chi-square law itself, at the tail probability of 5
    // standard errors (5.7e-7).
    EXPECT_GT(boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), chi2)), 5.7e-7)
        << per_year << " a year: chi-square " << chi2 << " on " << df << " degrees of freedom";
    EXPECT_NEAR(jumps / lanes, mean, 5 * std::sqrt(mean / lanes)) << per_year << " a year";
  }
}

}  // namespace
}  // namespace sovrisk
