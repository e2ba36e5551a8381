#pragma once

#include <Eigen/Core>
#include <cstdint>

#include "sovrisk/config.h"

namespace sovrisk {

// The random numbers one block of paths consumes in one month, one array per
// kind of draw, one entry per lane (path) of the block.
struct BlockDraws {
  explicit BlockDraws(int lanes);

  Eigen::Array<double, Eigen::Dynamic, kShockCount>
      shocks;                        // independent N(0,1), the eps of eq. (1)
  Eigen::ArrayXd liquidity_shock;    // eps_A ~ N(0,1)
  Eigen::ArrayXd auction_uniform;    // u_A ~ U(0,1)
  Eigen::ArrayXd ceasefire_uniform;  // u_C ~ U(0,1)
  Eigen::ArrayXd oil_jump;           // J: sum of n ~ Poisson jumps
};

// Counter-based random streams: path i in month t draws from Philox4x64-10
// keyed by (seed, i) at counter (t, stream, 0, 0). Which thread, rank or block
// computes a path never changes what it draws, and every month starts afresh,
// so a draw of one month never shifts the draws of another.
class PathStreams {
 public:
  PathStreams(std::uint64_t seed, const OilConfig& oil);

  // Draws month `month` for paths first_path .. first_path + lanes - 1 into `out`.
  void fill(std::uint64_t first_path, int month, BlockDraws& out) const;

 private:
  std::uint64_t seed_;
  double jumps_per_month_;
  double jump_mean_;
  double jump_volatility_;
};

}  // namespace sovrisk
