// A run reports a set of outputs (OutputSet, outputs.h): model v1's for a
// model-v1 configuration, every registered one for model v2. A run holds,
// packs, merges, writes and reads the outputs of its set and nothing else, and
// refuses a partial result of another set rather than mix it with its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_support.h"
#include "partial_comparison.h"
#include "sovrisk/engine.h"
#include "sovrisk/partial_io.h"
#include "sovrisk/results_io.h"
#include "test_support.h"

namespace sovrisk {
namespace {

namespace fs = std::filesystem;
using testing::expect_same;
using testing::Outcome;
using testing::run_sovrisk;

class OutputSets : public testing::CommandLineTest {};

// The made-up value of variable v in month t on path p: finite, different for
// each variable and month, and on some paths outside the histogram ranges of
// all_outputs_range (underflow and overflow bins in use).
double made_up(int v, int t, std::uint64_t p) {
  return 100.0 * v + t + static_cast<double>(p % 101) - 50.0;
}

// The made-up first month of event e on path p; none on some paths.
int made_up_month(int e, std::uint64_t p, int months) {
  const auto month = static_cast<int>((p + 7 * static_cast<std::uint64_t>(e)) % (months + 5));
  return month < months ? month : kNoEvent;
}

// The blocks `blocks` of `config`'s run as if the run reported every
// registered output, made by hand as the engine makes a range
// (BlockRunner::accumulate): histograms and block sums of every variable, the
// first months of every event, the run's first `sample_paths` paths and, if
// `per_path`, every path's event months: what a model-v2 run holds, made
// without a model so that each statistic's bookkeeping is tested alone.
PartialResult all_outputs_range(const Config& config, BlockRange blocks, std::uint64_t sample_paths,
                                bool per_path) {
  const int months = config.scenario.months;
  const std::uint64_t paths = config.simulation.paths;
  std::vector<FanAccumulator::Range> ranges;
  for (int v = 0; v < kVariableCount; ++v) {
    for (int t = 0; t < months; ++t)
      ranges.push_back({100.0 * v + t - 40.0, 100.0 * v + t + 40.0});
  }
  PartialResult range(blocks.first, FanAccumulator(kVariableCount, months, ranges, kFanBins),
                      EventCounts(kEventCount, months));
  const std::uint64_t first_path = paths_before(blocks.first, paths);
  for (auto& rows : range.sample_paths)
    rows.resize(static_cast<Eigen::Index>(sample_rows(blocks, paths, sample_paths)), months);
  if (per_path) {
    for (auto& months_of_paths : range.per_path_event_month)
      months_of_paths.resize(paths_before(blocks.end, paths) - first_path);
  }
  for (std::uint64_t block = blocks.first; block < blocks.end; ++block) {
    const std::uint64_t first = paths_before(block, paths), end = paths_before(block + 1, paths);
    BlockSums sums(kVariableCount, months);
    EventCounts counts(kEventCount, months);
    std::vector<double> values;
    for (int v = 0; v < kVariableCount; ++v) {
      for (int t = 0; t < months; ++t) {
        values.clear();
        for (std::uint64_t p = first; p < end; ++p) {
          values.push_back(made_up(v, t, p));
          if (p < sample_paths)
            range.sample_paths[v](static_cast<Eigen::Index>(p - first_path), t) = values.back();
        }
        const int count = static_cast<int>(values.size());
        range.fan.add(v, t, values.data(), count);
        sums.sums(v, t) = sum_in_fixed_order(values.data(), count);
        for (std::uint64_t p = first; p < end; ++p) {
          const bool defaults = made_up_month(kDefault, p, months) != kNoEvent;
          FanAccumulator& conditional =
              defaults ? range.conditional_fans.defaulted : range.conditional_fans.not_defaulted;
          conditional.add(v, t, &values[p - first], 1);
        }
      }
    }
    // The drivers at the default month: the made-up values of that month.
    DefaultDrivers& drivers = range.default_drivers;
    for (std::uint64_t p = first; p < end; ++p) {
      const int month = made_up_month(kDefault, p, months);
      if (month == kNoEvent)
        continue;
      const double values[DefaultDrivers::kCount] = {
          made_up(kOilPrice, month, p), made_up(kFx, month, p), made_up(kFund, month, p),
          12 * made_up(kUnfinanced, month, p)};
      for (int d = 0; d < DefaultDrivers::kCount; ++d)
        drivers.values.add(d, 0, &values[d], 1);
      ++drivers.calendar_month[(config.scenario.start_month - 1 + month) % 12];
      const int depleted = made_up_month(kDepletion, p, months);
      if (depleted != kNoEvent && depleted <= month)
        ++drivers.depletion_lag[month - depleted];
      else
        ++drivers.without_depletion;
    }
    for (int e = 0; e < kEventCount; ++e) {
      for (std::uint64_t p = first; p < end; ++p) {
        const int month = made_up_month(e, p, months);
        if (month != kNoEvent)
          ++counts.month_counts[e][month];
        if (per_path)
          range.per_path_event_month[e][p - first_path] = month;
      }
    }
    range.sums.push(std::move(sums));
    range.events.merge(counts);
  }
  return range;
}

std::string list_text(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return "[" + text + "]";
}

// The refusal of a partial result of `written` outputs by a run of `run`'s.
std::string refusal(const std::string& path, const OutputSet& written, const OutputSet& run) {
  return path + ": written with output variables " + list_text(written.variable_names()) +
         " and events " + list_text(written.event_names()) + "; this sovrisk has " +
         list_text(run.variable_names()) + " and " + list_text(run.event_names()) +
         ": merge and resume need the same sovrisk";
}

void expect_read_refused(const PartialFileHeader& header, const OutputSet& run,
                         const std::string& message) {
  try {
    read_partial(header, run);
    ADD_FAILURE() << header.path << " was read";
  } catch (const InputError& error) {
    EXPECT_EQ(error.what(), message);
  }
}

TEST_F(OutputSets, AModelV1RunHoldsAndReportsModelV1OutputsOnly) {
  EXPECT_EQ(
      kModelV1Outputs.variable_names(),
      std::vector<std::string>({"oil_price", "fx", "need", "bank_absorbed", "fund", "unfinanced"}));
  EXPECT_EQ(kModelV1Outputs.event_names(),
            std::vector<std::string>({"default", "depletion", "bank_crisis"}));
  // Every shipped config is a model-v1 config but the default scenario and the backtest,
  // model v2's.
  std::vector<std::string> configs = {std::string(SOVRISK_SOURCE_DIR) +
                                      "/tests/data/baseline.yaml"};
  int model_v2_configs = 0;
  for (const auto& entry : fs::directory_iterator(std::string(SOVRISK_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".yaml")
      continue;
    const auto name = entry.path().filename();
    if (name == "russia-2025.yaml" || name == "backtest-2022.yaml") {
      EXPECT_EQ(output_set(load_config(entry.path().string())), kAllOutputs);
      ++model_v2_configs;
    } else {
      configs.push_back(entry.path().string());
    }
  }
  EXPECT_EQ(model_v2_configs, 2);
  for (const auto& path : configs)
    EXPECT_EQ(output_set(load_config(path)), kModelV1Outputs) << path;

  const Config config = testing::config_from(testing::stochastic_yaml(), {"simulation.paths=2500"});
  RunOptions options;
  options.per_path_events = true;
  const PartialResult range = simulate_range(config, options, begin_range(config, options, 0), 3);
  EXPECT_EQ(range.outputs(), kModelV1Outputs);
  EXPECT_EQ(range.fan.series(), kModelV1Variables);
  EXPECT_EQ(range.fan.ranges().size(), std::size_t(kModelV1Variables) * 36);
  EXPECT_EQ(range.events.month_counts.size(), std::size_t(kModelV1Events));
  for (const auto& node : range.sums.nodes())
    EXPECT_EQ(node.value.sums.rows(), kModelV1Variables);
  EXPECT_EQ(range.sample_paths.size(), std::size_t(kModelV1Variables));
  EXPECT_EQ(range.per_path_event_month.size(), std::size_t(kModelV1Events));

  const SimulationResult result = simulate(config, options);
  EXPECT_EQ(result.outputs, kModelV1Outputs);
  for (int v = kModelV1Variables; v < kVariableCount; ++v) {
    EXPECT_EQ(result.mean[v].size() + result.fan[v].size() + result.sample_paths[v].size() +
                  result.fan_bin_width[v].size(),
              0)
        << variable_info(v).name;
  }
  for (int e = kModelV1Events; e < kEventCount; ++e) {
    EXPECT_TRUE(result.event_month_counts[e].empty()) << event_name(e);
    EXPECT_TRUE(result.per_path_event_month[e].empty()) << event_name(e);
  }
}

// Every statistic of a partial result of all outputs (FanHistograms,
// EventMonthCounts, MeanSums, SamplePaths, PerPathEventMonths, ConditionalFans,
// DefaultDrivers) goes to bytes
// and back, appends in any tree, and goes to a file and back; a run of
// model v1's outputs refuses the file, and a partial result of all outputs
// refuses to take one of model v1's.
TEST_F(OutputSets, APartialResultOfEveryOutputPacksAppendsAndRoundTrips) {
  const Config config = load_config(write("ok.yaml", testing::stochastic_yaml()));
  ASSERT_EQ(block_count(config.simulation.paths), 6u);
  const PartialResult whole = all_outputs_range(config, {0, 6}, 1500, true);
  ASSERT_EQ(whole.outputs(), kAllOutputs);
  ASSERT_EQ(whole.sample_paths[kMonetised].rows(), 1500);
  ASSERT_EQ(whole.per_path_event_month[kMarketAccess].size(), 6000u);

  const BlockRange cuts[] = {{0, 1}, {1, 4}, {4, 6}};
  std::vector<PartialResult> pieces;
  for (const BlockRange& cut : cuts) {
    pieces.push_back(all_outputs_range(config, cut, 1500, true));
    expect_same(PartialResult::unpack(pieces.back().pack()), pieces.back());
  }
  PartialResult in_order = pieces[0];
  in_order.append(pieces[1]);
  in_order.append(pieces[2]);
  expect_same(in_order, whole);
  PartialResult right = PartialResult::unpack(pieces[1].pack());
  right.append(PartialResult::unpack(pieces[2].pack()));
  PartialResult tree = PartialResult::unpack(pieces[0].pack());
  tree.append(PartialResult::unpack(right.pack()));
  expect_same(tree, whole);

  RunOptions options;
  options.sample_paths = 1500;
  options.per_path_events = true;
  PartialResult all_first = pieces[0];
  EXPECT_THROW(all_first.append(begin_range(config, options, 1)), std::invalid_argument);
  PartialResult v1_first = simulate_range(config, options, begin_range(config, options, 0), 1);
  EXPECT_THROW(v1_first.append(pieces[1]), std::invalid_argument);
  EXPECT_THROW(simulate_range(config, options, pieces[0], 2), std::invalid_argument);

  PartialInfo info;
  info.range = {0, 6};
  info.sample_paths = 1500;
  info.per_path = true;
  write_partial(file("all.h5"), config, whole, info);
  const PartialFileHeader header = read_partial_header(file("all.h5"));
  EXPECT_EQ(header.variables, kAllOutputs.variable_names());
  EXPECT_EQ(header.events, kAllOutputs.event_names());
  expect_same(read_partial(header, kAllOutputs), whole);
  info.checkpoint = true;
  write_partial(file("all-ck.h5"), config, pieces[0], info);
  expect_same(read_partial(read_partial_header(file("all-ck.h5")), kAllOutputs), pieces[0]);

  // A file of other outputs than the run's: refused, whichever has more.
  expect_read_refused(header, kModelV1Outputs,
                      refusal(file("all.h5"), kAllOutputs, kModelV1Outputs));
  write_partial(file("v1-ck.h5"), config, v1_first, info);
  expect_read_refused(read_partial_header(file("v1-ck.h5")), kAllOutputs,
                      refusal(file("v1-ck.h5"), kModelV1Outputs, kAllOutputs));
}

// `sovrisk merge` and `run --resume` read a partial result for the run of its
// configuration, which reports model v1's outputs: one of all outputs is refused.
TEST_F(OutputSets, MergeAndResumeRefuseAPartialResultOfOtherOutputsThanTheRuns) {
  const std::string config_file = write("ok.yaml", testing::stochastic_yaml());
  const Config config = load_config(config_file);
  PartialInfo info;
  info.range = {0, 6};
  info.sample_paths = 100;
  write_partial(file("all.h5"), config, all_outputs_range(config, {0, 6}, 100, false), info);
  expect_refused("merge " + file("all.h5"),
                 {refusal(file("all.h5"), kAllOutputs, kModelV1Outputs)});

  info.checkpoint = true;
  write_partial(file("all-ck.h5"), config, all_outputs_range(config, {0, 2}, 100, false), info);
  expect_refused("run " + config_file + " -q --resume " + file("all-ck.h5"),
                 {refusal(file("all-ck.h5"), kAllOutputs, kModelV1Outputs)});
}

// A result of all outputs lists them all, holds every dataset of each, and
// reads back: summary shows every event, compare works on it.
TEST_F(OutputSets, AResultOfEveryOutputIsWrittenAndReadBack) {
  const Config config = load_config(write("ok.yaml", testing::stochastic_yaml()));
  const int months = config.scenario.months;
  const std::uint64_t paths = config.simulation.paths;
  SimulationResult result = finalize(config, all_outputs_range(config, {0, 6}, 1500, true));
  ASSERT_EQ(result.outputs, kAllOutputs);
  result.threads = 1;
  const std::string path = file("all-result.h5");
  write_results(path, config, result);

  const ResultFile in(path);
  EXPECT_EQ(in.variables(), kAllOutputs.variable_names());
  EXPECT_EQ(in.events(), kAllOutputs.event_names());
  EXPECT_EQ(in.unsigned_attribute("sample_paths"), 1500u);
  for (int v = 0; v < kVariableCount; ++v) {
    const VariableInfo& info = variable_info(v);
    const std::string name = info.name;
    SCOPED_TRACE(name);
    const auto fan = in.doubles("/fan/" + name, {std::size_t(months), kFanLevels.size()});
    EXPECT_EQ(fan, std::vector<double>(result.fan[v].data(),
                                       result.fan[v].data() + result.fan[v].size()));
    EXPECT_EQ(in.doubles("/fan_error_bound/" + name, {std::size_t(months)}).size(),
              std::size_t(months));
    const auto mean = in.doubles("/mean/" + name, {std::size_t(months)});
    const auto samples = in.doubles("/sample_paths/" + name, {1500, std::size_t(months)});
    for (int t = 0; t < months; ++t) {
      double sum = 0;
      for (std::uint64_t p = 0; p < paths; ++p)
        sum += made_up(v, t, p);
      EXPECT_NEAR(mean[t], sum / static_cast<double>(paths), 1e-9 * (100.0 * v + t + 1));
      EXPECT_EQ(samples[std::size_t(1499) * months + t], made_up(v, t, 1499));
    }
    EXPECT_EQ(in.dataset_string_attribute("/mean/" + name, "units"), info.units);
    EXPECT_EQ(in.dataset_string_attribute("/fan/" + name, "label"), info.label);
  }
  for (int e = 0; e < kEventCount; ++e) {
    const std::string event = event_name(e);
    SCOPED_TRACE(event);
    std::vector<std::int64_t> counts(months, 0), per_path;
    for (std::uint64_t p = 0; p < paths; ++p) {
      const int month = made_up_month(e, p, months);
      per_path.push_back(month);
      if (month != kNoEvent)
        ++counts[month];
    }
    EXPECT_EQ(in.integers("/" + event + "/month_counts", {std::size_t(months)}), counts);
    EXPECT_EQ(in.integers("/per_path/" + event + "_month", {paths}), per_path);
    EXPECT_EQ(in.event_label(event), event_info(e).label);
  }

  const Outcome summary = run_sovrisk("summary " + path);
  ASSERT_EQ(summary.exit_code, 0) << summary.output;
  for (const char* heading : {"default [95% CI]", "fund depletion [95% CI]", "bank crisis [95% CI]",
                              "monetisation [95% CI]", "market access [95% CI]"}) {
    EXPECT_NE(summary.output.find(heading), std::string::npos) << heading << summary.output;
  }
  const Outcome csv = run_sovrisk("summary " + path + " --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 1 + 4 * kEventCount)
      << csv.output;
  EXPECT_NE(csv.output.find("\n2028,market_access,"), std::string::npos) << csv.output;
  const Outcome compared = run_sovrisk("compare " + path + " " + path);
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  EXPECT_NE(compared.output.find("paired on common random numbers"), std::string::npos)
      << compared.output;
}

}  // namespace
}  // namespace sovrisk
