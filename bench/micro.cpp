// Micro-benchmarks: the random-number floor (stream format 2, and format 1 for
// comparison), the streams' kernel at each width, one model month over a block,
// and the accumulators. Rates are in path-months per second (items/s), the
// kernel's in normals per second.
#include <benchmark/benchmark.h>

#include "sovrisk/accumulators.h"
#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/model.h"
#include "sovrisk/streams.h"
#include "stream_lanes.h"
#include "streams_format1.h"

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

// The same draws from stream format 1 (bench/streams_format1.h), which format 2 replaced.
void RandomNumberFloorFormat1(benchmark::State& state) {
  BlockDraws draws(kBlockSize);
  std::uint64_t block = 0;
  for (auto _ : state) {
    for (int t = 0; t < scenario().scenario.months; ++t) {
      format1::fill(scenario().simulation.seed, scenario().oil.jump_intensity / 12.0,
                    block * kBlockSize, t, draws);
      benchmark::DoNotOptimize(draws.shocks.data());
    }
    ++block;
  }
  state.SetItemsProcessed(state.iterations() * kBlockSize * scenario().scenario.months);
}
BENCHMARK(RandomNumberFloorFormat1);

// Pairs of normals (Philox block and Box-Muller) for 1024 lanes by the kernel of
// `width` lanes; items are normals. Skipped where the CPU lacks the width.
void StreamKernelNormals(benchmark::State& state) {
  const lanes::Kernel* kernel = lanes::kernel_of_width(static_cast<int>(state.range(0)));
  if (!kernel) {
    state.SkipWithError("this CPU does not run this width");
    return;
  }
  std::vector<double> first(kBlockSize), second(kBlockSize);
  std::uint32_t month = 0;
  for (auto _ : state) {
    kernel->normal_pairs({scenario().simulation.seed, 0, month++}, 0, kBlockSize, first.data(),
                         second.data());
    benchmark::DoNotOptimize(first.data());
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBlockSize);
}
BENCHMARK(StreamKernelNormals)->Arg(2)->Arg(4)->Arg(8);

// Format 1's normals for comparison: Boost's ziggurat on Philox4x64-10, two per path.
void ZigguratNormals(benchmark::State& state) {
  boost::random::normal_distribution<double> standard_normal;
  std::vector<double> out(2 * kBlockSize);
  std::uint64_t month = 0;
  for (auto _ : state) {
    for (int lane = 0; lane < kBlockSize; ++lane) {
      r123::MicroURNG<r123::Philox4x64> stream({{month, 0, 0, 0}},
                                               {{scenario().simulation.seed, std::uint64_t(lane)}});
      out[2 * lane] = standard_normal(stream);
      out[2 * lane + 1] = standard_normal(stream);
    }
    ++month;
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 2 * kBlockSize);
}
BENCHMARK(ZigguratNormals);

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
