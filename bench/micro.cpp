// Micro-benchmarks: the random-number floor, one model month over a block, and
// the accumulators. Rates are in path-months per second (items/s).
#include <benchmark/benchmark.h>

#include "sovrisk/accumulators.h"
#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/streams.h"

namespace sovrisk {
namespace {

const Config& scenario() {
  static const Config config =
      load_config(std::string(SOVRISK_SOURCE_DIR) + "/configs/russia-2025-v1.yaml");
  return config;
}

// The floor: every random number the model consumes, drawn the same way, and nothing else.
void RandomNumberFloor(benchmark::State& state) {
  const PathStreams streams(scenario().simulation.seed, scenario().oil);
  BlockDraws draws(kBlockSize);
  std::uint64_t block = 0;
  for (auto _ : state) {
    for (int t = 0; t < scenario().scenario.months; ++t) {
      streams.fill(block * kBlockSize, t, draws);
      benchmark::DoNotOptimize(draws.shocks.data());
    }
    ++block;
  }
  state.SetItemsProcessed(state.iterations() * kBlockSize * scenario().scenario.months);
}
BENCHMARK(RandomNumberFloor);

// The model's arithmetic alone, on draws made once.
void ModelMonth(benchmark::State& state) {
  const Model model(scenario());
  const PathStreams streams(scenario().simulation.seed, scenario().oil);
  BlockState block(kBlockSize);
  BlockDraws draws(kBlockSize);
  streams.fill(0, 0, draws);
  model.reset(block);
  int t = 0;
  for (auto _ : state) {
    model.step(t, draws, block);
    benchmark::DoNotOptimize(block.fund.data());
    if (++t == model.months())
      t = 0, model.reset(block);
  }
  state.SetItemsProcessed(state.iterations() * kBlockSize);
}
BENCHMARK(ModelMonth);

// Adding one block-month of every reported series to the fan histograms, as a
// thread of the engine does (16-bit buffer, folded into 64-bit counts).
void FanAdd(benchmark::State& state) {
  const Config& config = scenario();
  const Model model(config);
  const PathStreams streams(config.simulation.seed, config.oil);
  BlockState block(kBlockSize);
  BlockDraws draws(kBlockSize);
  model.reset(block);
  const int variables = output_set(config).variables;
  std::vector<FanAccumulator::Range> ranges;
  for (int v = 0; v < variables; ++v) {
    for (int t = 0; t < config.scenario.months; ++t)
      ranges.push_back({0.0, 1.0});
  }
  for (int t = 0; t < 12; ++t)
    streams.fill(0, t, draws), model.step(t, draws, block);
  for (int v = 0; v < variables; ++v) {
    for (int t = 0; t < config.scenario.months; ++t) {
      std::vector<double> pilot(block.reported[v].data(), block.reported[v].data() + kBlockSize);
      ranges[v * config.scenario.months + t] = FanAccumulator::range_for(pilot);
    }
  }
  BufferedFanAccumulator fan(variables, config.scenario.months, ranges, kFanBins);
  int t = 0;
  for (auto _ : state) {
    for (int v = 0; v < variables; ++v)
      fan.add(v, t, block.reported[v].data(), kBlockSize);
    if (++t == config.scenario.months)
      t = 0;
  }
  state.SetItemsProcessed(state.iterations() * kBlockSize);
}
BENCHMARK(FanAdd);

void FanMerge(benchmark::State& state) {
  const int months = scenario().scenario.months;
  const int variables = output_set(scenario()).variables;
  const std::vector<FanAccumulator::Range> ranges(variables * months, {0.0, 1.0});
  FanAccumulator a(variables, months, ranges, kFanBins), b(variables, months, ranges, kFanBins);
  for (auto _ : state) {
    a.merge(b);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(FanMerge);

// A whole run of the default scenario through the engine, one thread.
void EndToEnd(benchmark::State& state) {
  Config config = scenario();
  config.simulation.paths = 32 * kBlockSize;
  RunOptions options;
  options.threads = 1;
  options.sample_paths = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(simulate(config, options).mean[0].data());
  state.SetItemsProcessed(state.iterations() * config.simulation.paths * config.scenario.months);
}
BENCHMARK(EndToEnd)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace sovrisk

BENCHMARK_MAIN();
