#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

#include "sovrisk/config.h"

namespace sovrisk {

// Which streams this build draws, as result, partial and checkpoint files record
// it (attribute `stream_format`; files without it were drawn by format 1:
// Philox4x64-10 through Boost's ziggurat, one path at a time). Runs of
// different formats are never merged or resumed into one.
inline constexpr int kStreamFormat = 2;

// The sub-streams, the high byte of counter word 1 of every draw (docs/model.md,
// "Random draws"). Each kind of draw has one of its own, so that adding a kind never
// shifts the numbers of another. A number is part of every result drawn from
// it: never renumber or reuse one. A kind drawn once per path rather than
// every month draws at month 0 of its sub-stream.
enum class SubStream : std::uint64_t {
  kEconomy = 0,  // per (path, month): BlockDraws, in the order PathStreams::fill draws them
  kModelV2 =
      1,  // per (path, month): model v2's draws, in the order PathStreams::fill_model_v2 draws them
  kPriors = 2,  // per path, once: one uniform per prior, in the order of Config::priors
};

// One oil jump of eq. (2): the lane (path) of the block it belongs to and its
// standard normal xi, which the model makes a jump size.
struct OilJump {
  int lane;
  double normal;
};

// The random numbers one block of paths consumes in one month, one array per
// kind of draw, one entry per lane (path) of the block.
struct BlockDraws {
  explicit BlockDraws(int lanes);

  Eigen::Array<double, Eigen::Dynamic, kShockCount>
      shocks;                        // independent N(0,1), the eps of eq. (1)
  Eigen::ArrayXd liquidity_shock;    // eps_A ~ N(0,1)
  Eigen::ArrayXd auction_uniform;    // u_A ~ U(0,1)
  Eigen::ArrayXd ceasefire_uniform;  // u_C ~ U(0,1)
  // The month's oil jumps in the order drawn, lane after lane: a lane has as
  // many as its count N^J ~ Poisson(lambda Delta). Few lanes have any.
  std::vector<OilJump> oil_jumps;

  // Model v2's, drawn only by PathStreams::fill_model_v2.
  Eigen::ArrayXd key_rate_shock;    // eps^i ~ N(0,1), the key rate's (V1)
  Eigen::ArrayXd gold_shock;        // eps^G ~ N(0,1), the gold price's (V11)
  Eigen::ArrayXd external_uniform;  // u^E ~ U(0,1), external access opening (V2)

  // Working space of PathStreams::fill: each lane's first jump normal, the
  // uniform of its jump count, and the unused halves of the uniform blocks.
  Eigen::ArrayXd first_jump_normal, jump_count_uniform, unused;
};

// Counter-based random streams (stream format 2, docs/model.md "Random
// draws"): block j of sub-stream s of path i in month t is Philox4x32-10 keyed
// by the seed's two halves at counter (j, t | s << 24, i's two halves). A
// block gives two uniforms, or one pair of normals by Box-Muller, computed for
// a block of paths at once in SIMD lanes (src/stream_lanes.h). Which thread,
// rank, block or CPU computes a path never changes what it draws, and every
// month and block starts afresh, so a draw never shifts another.
class PathStreams {
 public:
  // The most oil jumps a month may expect (lambda Delta of eq. 2); the config's
  // bound on oil.jump_intensity is the user-facing check, this one keeps the
  // Poisson draw defined whatever reaches the engine.
  static constexpr double kMaxJumpsPerMonth = 100.0;

  // The Poisson law of the jump count is the only parameter the draws take from
  // the model; throws std::invalid_argument for a jump intensity above
  // 12 * kMaxJumpsPerMonth per year (or NaN).
  PathStreams(std::uint64_t seed, const OilConfig& oil);

  // The months a stream counter holds (its 24 low bits of word 1).
  static constexpr int kMaxMonths = 1 << 24;

  // Draws month `month` of the economy sub-stream for paths first_path ..
  // first_path + lanes - 1 into `out`; throws std::invalid_argument for a
  // month outside [0, kMaxMonths).
  void fill(std::uint64_t first_path, int month, BlockDraws& out) const;

  // The kinds of model v2's draws, in the order they are drawn from its sub-stream.
  enum ModelV2Draw { kKeyRateDraw = 1, kGoldDraw = 2, kExternalDraw = 3 };

  // Draws month `month` of the model-v2 sub-stream for the same paths into
  // `out`'s model-v2 fields: its first `kinds` kinds of draw (ModelV2Draw),
  // (kinds after the last a config needs are not computed; being counter
  // blocks of their own, they shift nothing). Called only when a model-v2 mechanism draws
  // (Model::model_v2_draws), so that a model-v1 config draws what it always did.
  void fill_model_v2(std::uint64_t first_path, int month, BlockDraws& out,
                     int kinds = kExternalDraw) const;

  // Path `path`'s `count` uniforms in (0, 1) of sub-stream kPriors (month 0)
  // of seed `seed`, in order: the probability points of its parameters' priors.
  // Static: they need no jump table, and are drawn for every path of a run with priors.
  static std::vector<double> prior_uniforms(std::uint64_t seed, std::uint64_t path,
                                            std::size_t count);

 private:
  std::uint64_t seed_;
  double jumps_per_month_;
  // P(N^J <= n) for n = 0, 1, ..., its last entry 1: the count is the first n
  // whose entry reaches the count's uniform (inversion).
  std::vector<double> jump_count_cdf_;
};

}  // namespace sovrisk
