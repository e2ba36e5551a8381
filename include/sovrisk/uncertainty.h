#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sovrisk/cluster.h"
#include "sovrisk/config.h"
#include "sovrisk/outputs.h"
#include "sovrisk/partial_result.h"

namespace sovrisk {

// Designs over the parameters that have priors (docs/model.md, "Parametric
// uncertainty"). A design's point is a value of every such parameter; the
// config at a point has them fixed there and no priors. Every point runs the
// same `inner` paths, 0 .. inner - 1 of the config's seed: common random
// numbers, so that what differs between points is the parameters, not the
// noise. Of each point only P(event by the end of each calendar year) is kept.

// The config at a point: `config` with its priors' keys set to `values` (in
// the order of Config::priors) and its paths to `paths`.
Config config_at_point(const Config& config, const std::vector<double>& values,
                       std::uint64_t paths);

// The points of a design, first .. end - 1.
struct PointRange {
  std::uint64_t first = 0, end = 0;
  std::uint64_t size() const { return end - first; }
};

// Shard `shard` (1-based) of `shards` of a design's `points` points: the
// shard-th of `shards` contiguous ranges, whose sizes differ by at most one
// (the longer first).
PointRange shard_points(std::uint64_t points, std::uint64_t shard, std::uint64_t shards);

// P(event by the end of each calendar year of the horizon | point), for the
// points of `range`: [point - range.first] holds one row per event of the
// run's outputs, one column per year. The processes of `cluster` share the
// points, each a contiguous range of them on `threads` threads; rank 0 gets
// them all, in order, and the other ranks nothing. Each point's numbers are
// its own, so any split gives the same.
std::vector<RowMajorArray> probabilities_at_points(const Config& config,
                                                   const std::vector<std::vector<double>>& points,
                                                   PointRange range, std::uint64_t inner,
                                                   int threads, Cluster& cluster);

// A design: its kind and size, and the parameter points it runs `inner`
// paths at. Its file is computed from the probabilities at all its points
// (band_of, sensitivity_of), however they were run: at once, in shards, or
// resumed from checkpoints (design_job.h).
struct Design {
  enum class Kind { kBand, kSensitivity };
  Kind kind = Kind::kBand;
  std::uint64_t size = 0;                   // the band's outer points; the sensitivity's rows N
  std::uint64_t inner = 0;                  // paths at each point
  int resamples = 0;                        // the sensitivity's bootstrap resamples
  std::vector<std::vector<double>> points;  // [point][prior], in the order of Config::priors
};

// (1) The parametric band: `outer` points drawn from the priors (point j is
// what path j of a run with the priors draws), `inner` paths each.
struct ParametricBand {
  std::uint64_t outer = 0, inner = 0;
  std::vector<int> years;
  OutputSet outputs;
  std::vector<std::vector<double>> points;  // [outer][prior]
  std::vector<RowMajorArray> probability;   // [event]: outer x years, P(event by year | point)
  // Per event, per year:
  std::vector<Eigen::ArrayXd> integrated;         // the mean over the points
  std::vector<Eigen::ArrayXd> integrated_stderr;  // its Monte Carlo error, conservative
  // The 5, 50 and 95 % points across the points, their distribution-free 95 %
  // intervals (order statistics), and the inner Monte Carlo noise at each.
  static constexpr std::array<double, 3> kLevels = {0.05, 0.5, 0.95};
  std::vector<RowMajorArray> quantile, quantile_low, quantile_high,
      quantile_inner_stderr;  // [event]: 3 x years
};

// The band's design: point j is what path j of a run with the priors draws.
Design band_design(const Config& config, std::uint64_t outer, std::uint64_t inner);
// The band from P(event by year | point) at every point of `design`.
ParametricBand band_of(const Config& config, const Design& design,
                       const std::vector<RowMajorArray>& probabilities);
void write_band(const std::string& path, const Config& config, const ParametricBand& band,
                double wall_seconds, int threads);
void print_band(const ParametricBand& band);

// (2) Variance-based sensitivity: first-order and total Sobol indices.
struct SobolIndices {
  Eigen::ArrayXd first_order, total_order;                      // per parameter
  Eigen::ArrayXd first_low, first_high, total_low, total_high;  // bootstrap 95 % (percentile)
  double variance = 0;                                          // of f over A and B together
};

// Jansen's estimators on a Saltelli design of `rows` rows: f(A_j), f(B_j) and
// f(AB^i_j) (A with column i from B) as fab[i][j]; `resamples` bootstrap
// resamples of the rows, drawn from `seed`.
SobolIndices jansen_indices(const std::vector<double>& fa, const std::vector<double>& fb,
                            const std::vector<std::vector<double>>& fab, int resamples,
                            std::uint64_t seed);

// The Saltelli design's A and B: `rows` points of a 2k-dimensional Sobol
// sequence (Boost.Random, the all-zero first point skipped), the first k
// coordinates A's, the last k B's, each in (0, 1).
void saltelli_matrices(std::uint64_t rows, int k, std::vector<std::vector<double>>& a,
                       std::vector<std::vector<double>>& b);

struct Sensitivity {
  std::uint64_t rows = 0, inner = 0;
  int resamples = 0;
  std::vector<std::string> parameters;  // the keys with priors
  std::vector<int> years;
  OutputSet outputs;
  std::vector<std::vector<SobolIndices>> indices;  // [event][year]
  std::vector<Eigen::ArrayXd> inner_variance;      // [event]: per year, mean p(1-p)/inner
};

// The Saltelli design of `rows` rows: A's rows, B's, then for each parameter i
// A with column i from B, mapped through the priors' quantile functions.
Design sensitivity_design(const Config& config, std::uint64_t rows, std::uint64_t inner,
                          int resamples);
Sensitivity sensitivity_of(const Config& config, const Design& design,
                           const std::vector<RowMajorArray>& probabilities);
void write_sensitivity(const std::string& path, const Config& config, const Sensitivity& result,
                       double wall_seconds, int threads);
void print_sensitivity(const Sensitivity& result);

}  // namespace sovrisk
