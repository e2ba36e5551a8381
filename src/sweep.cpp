#include "sovrisk/sweep.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "sovrisk/model.h"

namespace sovrisk {

GridKey parse_grid(const std::string& text) {
  // The key is checked as --set checks it; its message names --grid.
  Override key_only;
  try {
    key_only = parse_override(text);
  } catch (const InputError&) {
    throw InputError("--grid " + text + ": expected key.path=value1,value2,...");
  }
  GridKey grid{key_only.key_path, {}};
  const std::string& values = key_only.value;
  std::string value;
  int depth = 0;
  char quote = 0;
  for (const char c : values) {
    if (quote) {
      quote = c == quote ? 0 : quote;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      grid.values.push_back(value);
      value.clear();
      continue;
    }
    value += c;
  }
  grid.values.push_back(value);
  for (std::string& each : grid.values) {
    // "50, 60" reads as "50,60": the blanks around a value are not part of it.
    const auto first = each.find_first_not_of(' ');
    each = first == std::string::npos ? ""
                                      : each.substr(first, each.find_last_not_of(' ') + 1 - first);
    if (each.empty()) {
      throw InputError("--grid " + text + ": key '" + grid.key +
                       "': an empty value; expected key.path=value1,value2,...");
    }
  }
  return grid;
}

SweepDesign full_grid(const std::vector<GridKey>& keys) {
  std::set<std::string> seen;
  SweepDesign design{kGridDesign, {}, {}, {}};
  for (const GridKey& key : keys) {
    if (!seen.insert(key.key).second)
      throw InputError("--grid " + key.key +
                       ": key given twice; give all its values in one --grid");
    design.keys.push_back(key.key);
  }
  if (keys.empty())
    return design;
  std::vector<std::size_t> point(keys.size(), 0);
  while (true) {
    std::vector<std::string> values;
    std::string label;
    for (std::size_t k = 0; k < keys.size(); ++k) {
      values.push_back(keys[k].values[point[k]]);
      label += (k ? ", " : "") + keys[k].key + "=" + values.back();
    }
    design.values.push_back(values);
    design.labels.push_back(label);
    std::size_t k = keys.size();
    // Count in mixed radix, the last key fastest.
    while (k > 0 && ++point[k - 1] == keys[k - 1].values.size()) {
      point[k - 1] = 0;
      --k;
    }
    if (k == 0)
      return design;
  }
}

SweepDesign one_at_a_time(const Config& base) {
  if (base.priors.empty()) {
    throw InputError(
        "--one-at-a-time: the configuration has no prior (a key given as {prior: ...}); give "
        "its keys priors, or sweep values with --grid");
  }
  SweepDesign design{kOneAtATimeDesign, {}, {}, {}};
  std::vector<std::string> medians;
  for (const ParameterPrior& prior : base.priors) {
    design.keys.push_back(prior.key);
    medians.push_back(shortest_text(prior.prior.quantile(kOneAtATimeMedian)));
  }
  design.values.push_back(medians);
  design.labels.push_back("every prior at its median");
  for (std::size_t k = 0; k < base.priors.size(); ++k) {
    for (const double level : {kOneAtATimeLow, kOneAtATimeHigh}) {
      std::vector<std::string> values = medians;
      values[k] = shortest_text(base.priors[k].prior.quantile(level));
      design.values.push_back(values);
      design.labels.push_back(design.keys[k] + "=" + values[k] + " (its " +
                              std::to_string(int(std::lround(100 * level))) + " % point)");
    }
  }
  return design;
}

std::vector<Override> point_overrides(const SweepDesign& design, std::size_t point) {
  std::vector<Override> overrides;
  for (std::size_t k = 0; k < design.keys.size(); ++k) {
    const std::string assignment = design.keys[k] + "=" + design.values[point][k];
    Override each = parse_override(assignment);
    each.origin = "--" + design.kind + " " + assignment;
    overrides.push_back(each);
  }
  return overrides;
}

std::string shortest_text(double value) {
  char text[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value)
      break;
  }
  return text;
}

void check_common_paths(const std::vector<Config>& points, const std::vector<std::string>& labels) {
  const Config& first = points.front();
  for (std::size_t p = 1; p < points.size(); ++p) {
    const Config& other = points[p];
    std::string differs;
    if (other.simulation.seed != first.simulation.seed)
      differs = "seed";
    else if (other.simulation.paths != first.simulation.paths)
      differs = "number of paths";
    else if (other.scenario.start_year != first.scenario.start_year ||
             other.scenario.start_month != first.scenario.start_month ||
             other.scenario.months != first.scenario.months)
      differs = "start or horizon";
    else if (output_set(other) != output_set(first))
      differs = "events (one is a model-v2 configuration, the other not)";
    if (!differs.empty()) {
      throw InputError("sweep: point " + std::to_string(p + 1) + " (" + labels[p] +
                       ") has another " + differs + " than point 1 (" + labels[0] +
                       "): a sweep runs every point on the same paths and calendar");
    }
  }
}

SweepResult run_sweep(const std::vector<Config>& configs, std::size_t reference, int threads,
                      const std::function<void(std::size_t, const SweepPointResult&)>& after_point,
                      const std::function<void(std::uint64_t)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  const Config& first = configs.at(reference);
  SweepResult sweep;
  sweep.calendar =
      Calendar(first.scenario.start_year, first.scenario.start_month, first.scenario.months);
  sweep.paths = first.simulation.paths;
  sweep.seed = first.simulation.seed;
  sweep.outputs = output_set(first);
  sweep.reference = reference;
  sweep.points.resize(configs.size());
  const auto year_ends = sweep.calendar.last_month_of_each_year();

  RunOptions options;
  options.threads = threads;
  options.sample_paths = 0;
  options.per_path_events = true;
  sweep.threads = worker_threads(options);

  // The reference first, so that each other point meets its per-path months
  // and can drop its own as soon as it is paired.
  std::vector<std::size_t> order = {reference};
  for (std::size_t p = 0; p < configs.size(); ++p) {
    if (p != reference)
      order.push_back(p);
  }
  std::array<std::vector<std::int32_t>, kEventCount> reference_months;
  std::uint64_t paths_before_point = 0;
  for (const std::size_t p : order) {
    if (progress)
      options.progress = [&](std::uint64_t done) { progress(paths_before_point + done); };
    SimulationResult run = simulate(configs[p], options);
    SweepPointResult& point = sweep.points[p];
    point.wall_seconds = run.wall_seconds;
    if (p == reference) {
      for (int e = 0; e < sweep.outputs.events; ++e)
        reference_months[e] = run.per_path_event_month[e];
    }
    for (int e = 0; e < sweep.outputs.events; ++e) {
      point.event_month_counts[e] = run.event_month_counts[e];
      point.probability[e] =
          cumulative_probability(run.event_month_counts[e], run.paths, year_ends);
      for (const int year_end : year_ends) {
        point.difference[e].push_back(
            paired_difference(run.per_path_event_month[e], reference_months[e], year_end));
      }
    }
    paths_before_point += sweep.paths;
    if (after_point)
      after_point(p, point);
  }
  sweep.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return sweep;
}

}  // namespace sovrisk
