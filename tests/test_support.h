#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sovrisk/cluster.h"
#include "sovrisk/config.h"

namespace sovrisk::testing {

// A test with a directory of its own for the files it writes, removed after it.
class ScratchDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        std::filesystem::temp_directory_path() / ("sovrisk-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory_);  // a leftover of an earlier process with this pid
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string file(const std::string& name) const { return (directory_ / name).string(); }

  std::filesystem::path directory_;
};

// A complete scenario with every source of randomness switched off; tests
// switch on what they need with --set style overrides.
inline std::string deterministic_yaml() {
  return R"(scenario: {name: test, start: "2025-03", months: 36}
simulation: {paths: 3, seed: 7}
oil: {p0: 60, long_run_mean: 70, mean_reversion: 0.9, volatility: 0, jump_intensity: 0, jump_mean: -0.2, jump_volatility: 0}
fx: {x0: 95, drift: 0.04, volatility: 0, oil_elasticity: -0.5}
revenue:
  oil_gas: {base_monthly: 900, p_ref: 65, x_ref: 90, price_floor: 20}
  non_oil: {base_monthly: 2200, growth: 0.07, persistence: 0.5, volatility: 0}
spending:
  base_monthly: 3600
  growth: 0.05
  persistence: 0.5
  volatility: 0
  seasonality: [1.4, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 1.15]
  ceasefire: {month: 28, hazard_per_year: 0, cut: 0.2}
correlation:
  - [1, 0, 0, 0]
  - [0, 1, 0, 0]
  - [0, 0, 1, 0]
  - [0, 0, 0, 1]
banks: {absorption_monthly: 250, persistence: 0.5, volatility: 0, saturation: 4000, auction_fail_base: 0, auction_fail_slope: 0, coupon: 0.16}
fund: {liquid0: 3800, floor: 300}
gdp: {annual0: 215000, growth: 0.08}
default: {gap_threshold: 0.004}
bank_crisis: {haircut: 0.3, holdings0: 15000, capital: 4000}
)";
}

// A small stochastic scenario: every driver on.
inline std::string stochastic_yaml() {
  return R"(scenario: {name: test-stochastic, start: "2025-03", months: 36}
simulation: {paths: 6000, seed: 42}
oil: {p0: 65, long_run_mean: 65, mean_reversion: 0.8, volatility: 0.35, jump_intensity: 0.5, jump_mean: -0.15, jump_volatility: 0.1}
fx: {x0: 90, drift: 0.05, volatility: 0.15, oil_elasticity: -0.4}
revenue:
  oil_gas: {base_monthly: 900, p_ref: 65, x_ref: 90, price_floor: 15}
  non_oil: {base_monthly: 2300, growth: 0.08, persistence: 0.6, volatility: 0.03}
spending:
  base_monthly: 3500
  growth: 0.06
  persistence: 0.5
  volatility: 0.04
  ceasefire: {month: -1, hazard_per_year: 0.2, cut: 0.15}
correlation:
  - [1.0, -0.5, 0.2, 0.0]
  - [-0.5, 1.0, -0.1, 0.0]
  - [0.2, -0.1, 1.0, 0.1]
  - [0.0, 0.0, 0.1, 1.0]
banks: {absorption_monthly: 250, persistence: 0.7, volatility: 0.3, saturation: 12000, auction_fail_base: 0.1, auction_fail_slope: 0.3, coupon: 0.16}
fund: {liquid0: 3800, floor: 300}
gdp: {annual0: 215000, growth: 0.08}
default: {gap_threshold: 0.01}
bank_crisis: {haircut: 0.25, holdings0: 15000, capital: 3000}
)";
}

// This process alone (no MPI launcher starts the tests), for the functions
// that share their work with a cluster.
inline std::unique_ptr<Cluster> one_process() {
  int argc = 1;
  char name[] = "sovrisk_tests";
  char* args[] = {name, nullptr};
  char** argv = args;
  return join_cluster(argc, argv);
}

inline Config config_from(const std::string& yaml,
                          const std::vector<std::string>& assignments = {}) {
  std::vector<Override> overrides;
  for (const auto& assignment : assignments)
    overrides.push_back(parse_override(assignment));
  return parse_config(yaml, "test.yaml", overrides);
}

}  // namespace sovrisk::testing
