// Plausible ranges (docs/config.md, "Plausible ranges"): a valid value outside
// its key's plausible range runs with one warning naming the key, the value,
// the range and the likely cause; --strict refuses it; the shipped configs
// warn of nothing; the documentation's table is the schema's.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "cli_support.h"
#include "sovrisk/parameters.h"

namespace sovrisk {
namespace {

using testing::Outcome;
using testing::run_sovrisk;

std::string default_config() {
  return std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025.yaml";
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++n;
  return n;
}

TEST(Plausible, ImplausibleValuesRunWithOneWarningEach) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"oil.volatility=2.5", "2.5 is outside the plausible range 0.01 to 1.5 1/√year (log) (a "
                             "percentage where a fraction is expected?)"},
      {"gdp.growth=0.45", "0.45 is outside the plausible range -0.2 to 0.3"},
      {"banks.absorption_monthly=0.42",
       "0.42 is 0.0023943 % of a month's GDP (gdp.annual0 / 12), outside the plausible 0.05 % to "
       "50 % (trillions where billions are expected, or the reverse?)"},
      {"oil.p0=6500", "6500 is outside the plausible range 5 to 250 USD/bbl (a price in another "
                      "unit than USD per barrel?)"},
      {"oil.long_run_mean={prior: uniform, low: 50, high: 400}",
       "400 is outside the plausible range 5 to 250"},
  };
  for (const auto& [assignment, message] : cases) {
    SCOPED_TRACE(assignment);
    const Outcome outcome =
        run_sovrisk("validate " + default_config() + " --set '" + assignment + "'");
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    const std::string key = assignment.substr(0, assignment.find('='));
    EXPECT_EQ(count(outcome.output, "sovrisk: warning: "), 1u) << outcome.output;
    EXPECT_NE(outcome.output.find("key '" + key + "': " + message), std::string::npos)
        << outcome.output;
  }
}

class PlausibleCli : public testing::ScratchDirectoryTest {};

TEST_F(PlausibleCli, StrictRefusesTheFirstWarningAndWritesNothing) {
  const Outcome outcome = run_sovrisk("run " + default_config() +
                                      " --paths 100 --strict --set gdp.growth=0.45 -o " +
                                      file("x.h5"));
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("sovrisk: error: "), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("key 'gdp.growth': 0.45 is outside the plausible range"),
            std::string::npos)
      << outcome.output;
  EXPECT_FALSE(std::filesystem::exists(file("x.h5")));
  const Outcome plausible =
      run_sovrisk("run " + default_config() + " --paths 100 --strict -q -o " + file("y.h5"));
  EXPECT_EQ(plausible.exit_code, 0) << plausible.output;
}

TEST(Plausible, ShippedConfigsWarnOfNothing) {
  int checked = 0;
  for (const auto& directory : {"/configs", "/tests/data"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(SOVRISK_SOURCE_DIR) + directory)) {
      if (entry.path().extension() != ".yaml")
        continue;
      const Outcome outcome = run_sovrisk("validate --strict " + entry.path().string());
      EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
      EXPECT_EQ(outcome.output.find("warning"), std::string::npos) << outcome.output;
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

// config.md's table of plausible ranges lists exactly the schema's, with its bounds.
TEST(Plausible, DocumentationTableIsTheSchemas) {
  std::ifstream page(std::string(SOVRISK_SOURCE_DIR) + "/docs/config.md");
  std::map<std::string, std::vector<std::string>> documented;
  bool inside = false;
  for (std::string line; std::getline(page, line);) {
    if (line.rfind("## ", 0) == 0)
      inside = line == "## Plausible ranges";
    std::smatch match;
    if (inside && std::regex_match(line, match,
                                   std::regex(R"(\| `([a-z_.0-9]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \| ([^|]*) \|)")))
      documented[match[1]] = {match[2], match[3], match[4], match[5]};
  }
  std::size_t with_range = 0;
  for (const Parameter& row : parameters()) {
    if (!row.plausible.given())
      continue;
    ++with_range;
    SCOPED_TRACE(row.key);
    const auto doc = documented.find(row.key);
    ASSERT_NE(doc, documented.end()) << "not in config.md's table";
    EXPECT_EQ(std::stod(doc->second[0]), row.plausible.low);
    EXPECT_EQ(std::stod(doc->second[1]), row.plausible.high);
    EXPECT_EQ(doc->second[2] == "✓", row.plausible.of_monthly_gdp);
    EXPECT_EQ(doc->second[3], row.plausible.likely_cause);
  }
  EXPECT_EQ(documented.size(), with_range);
}

}  // namespace
}  // namespace sovrisk
