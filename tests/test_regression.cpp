// Model v1's default scenario (configs/russia-2025-v1.yaml, the default until model
// v2) at a fixed seed, compared bit for bit with a stored reference, so that any
// change of model v1's numbers is seen. A change that moves them on purpose
// regenerates the reference with
//   SOVRISK_UPDATE_REGRESSION=1 build/tests/sovrisk_tests --gtest_filter='Regression.*'
// and says in its commit message why the numbers moved. The reference belongs to
// the portable build of Debian 12's toolchain: another compiler, libm or
// SOVRISK_NATIVE may change the last bits.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "sovrisk/accumulators.h"
#include "sovrisk/engine.h"

namespace sovrisk {
namespace {

const std::string kReference =
    std::string(SOVRISK_SOURCE_DIR) + "/tests/data/regression-russia-2025.txt";

// Every figure of a result as text, doubles in round-trip precision.
std::string figures(const SimulationResult& result) {
  std::ostringstream out;
  char number[32];
  auto put = [&](double value) {
    std::snprintf(number, sizeof number, " %.17g", value);
    out << number;
  };
  for (int e = 0; e < result.outputs.events; ++e) {
    out << event_name(e) << " month_counts";
    for (const auto count : result.event_month_counts[e])
      out << " " << count;
    out << "\n";
  }
  for (int v = 0; v < result.outputs.variables; ++v) {
    const std::string name = variable_info(v).name;
    for (int t = 0; t < result.calendar.months(); ++t) {
      out << name << " " << result.calendar.label(t) << " mean";
      put(result.mean[v][t]);
      out << " fan";
      for (std::size_t q = 0; q < kFanLevels.size(); ++q)
        put(result.fan[v](t, q));
      out << " path0";
      put(result.sample_paths[v](0, t));
      out << "\n";
    }
  }
  return out.str();
}

TEST(Regression, DefaultScenarioFiguresAreUnchanged) {
  Config config = load_config(std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml");
  config.simulation.paths = 20000;
  RunOptions options;
  options.sample_paths = 1;
  const SimulationResult result = simulate(config, options);
  // A model-v1 configuration reports model v1's outputs, and only those.
  EXPECT_EQ(result.outputs, kModelV1Outputs);
  const std::string now = figures(result);
  if (std::getenv("SOVRISK_UPDATE_REGRESSION")) {
    std::ofstream(kReference) << now;
    GTEST_SKIP() << "wrote " << kReference;
  }
  std::ifstream in(kReference);
  ASSERT_TRUE(in) << "no reference " << kReference;
  std::stringstream stored;
  stored << in.rdbuf();
  // Figure by figure (a line is keyed by its first two words: the event or
  // variable, and "month_counts" or the month), so a failure names the first
  // figure that moved. Figures the reference does not hold (a variable or
  // event added since) are not compared: the reference is the contract for
  // the figures it holds.
  auto key_of = [](const std::string& line) {
    return line.substr(0, line.find(' ', line.find(' ') + 1));
  };
  std::map<std::string, std::string> now_by_key;
  std::istringstream actual_lines(now);
  for (std::string actual; std::getline(actual_lines, actual);)
    now_by_key[key_of(actual)] = actual;
  std::istringstream expected_lines(stored.str());
  int line = 0;
  for (std::string expected; std::getline(expected_lines, expected);) {
    ++line;
    const auto found = now_by_key.find(key_of(expected));
    ASSERT_NE(found, now_by_key.end()) << "reference line " << line << " has no figure now";
    ASSERT_EQ(found->second, expected) << "first difference at line " << line;
  }
}

}  // namespace
}  // namespace sovrisk
