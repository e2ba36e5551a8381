#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <vector>

// philox.h sets up Random123's feature macros that MicroURNG.hpp relies on.
#include <Random123/philox.h>
// clang-format off
#include <Random123/MicroURNG.hpp>
// clang-format on

#include "sovrisk/config.h"

namespace sovrisk {

// The sub-streams, counter word 1 of every draw (docs/model.md, "Random
// draws"). Each kind of draw has one of its own, so that adding a kind never
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
};

// Counter-based random streams: path i in month t draws sub-stream s from
// Philox4x64-10 keyed by (seed, i) at counter (t, s, 0, 0). Which thread, rank
// or block computes a path never changes what it draws, and every month starts
// afresh, so a draw of one month never shifts the draws of another.
class PathStreams {
 public:
  using Stream = r123::MicroURNG<r123::Philox4x64>;

  // The most oil jumps a month may expect (lambda Delta of eq. 2); the config's
  // bound on oil.jump_intensity is the user-facing check, this one keeps the
  // Poisson draw defined whatever reaches the engine.
  static constexpr double kMaxJumpsPerMonth = 100.0;

  // The Poisson law of the jump count is the only parameter the draws take from
  // the model; throws std::invalid_argument for a jump intensity above
  // 12 * kMaxJumpsPerMonth per year (or NaN).
  PathStreams(std::uint64_t seed, const OilConfig& oil);

  // Sub-stream `kind` of path `path` in month `month` (0 for a kind drawn once per path).
  Stream stream(SubStream kind, std::uint64_t path, int month) const;

  // Draws month `month` of the economy sub-stream for paths first_path ..
  // first_path + lanes - 1 into `out`.
  void fill(std::uint64_t first_path, int month, BlockDraws& out) const;

  // The kinds of model v2's draws, in the order they are drawn from its sub-stream.
  enum ModelV2Draw { kKeyRateDraw = 1, kGoldDraw = 2, kExternalDraw = 3 };

  // Draws month `month` of the model-v2 sub-stream for the same paths into
  // `out`'s model-v2 fields: its first `kinds` kinds of draw (ModelV2Draw),
  // in order, so that leaving out the kinds after the last a config needs
  // shifts none of the others. Called only when a model-v2 mechanism draws
  // (Model::model_v2_draws), so that a model-v1 config draws what it always did.
  void fill_model_v2(std::uint64_t first_path, int month, BlockDraws& out,
                     int kinds = kExternalDraw) const;

  // Path `path`'s `count` uniforms in (0, 1) of sub-stream kPriors (month 0),
  // in order: the probability points of its parameters' priors.
  std::vector<double> prior_uniforms(std::uint64_t path, std::size_t count) const;

 private:
  std::uint64_t seed_;
  double jumps_per_month_;
};

}  // namespace sovrisk
