#include "sovrisk/sweep_io.h"

#include <limits>

#include "hdf5_support.h"
#include "run_attributes.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// The per-point, per-year numbers of one event, row-major (points x years).
template <typename Estimate, typename Field>
std::vector<double> by_point_and_year(const std::vector<std::vector<Estimate>>& rows, Field field) {
  std::vector<double> values;
  for (const auto& row : rows) {
    for (const Estimate& estimate : row)
      values.push_back(estimate.*field);
  }
  return values;
}

void write_everything(Writer& out, const SweepDesign& design, const std::vector<Config>& configs,
                      const SweepResult& result) {
  const hid_t root = out.file();
  const Config& reference = configs[result.reference];
  write_run_attributes(root, reference,
                       {kSweepFileType, kSweepFormatVersion, result.wall_seconds, result.threads, 0,
                        result.outputs});
  const Calendar& calendar = result.calendar;
  const int months = calendar.months();
  write_attribute(root, "start", calendar.label(0));

  out.group("/time");
  write_strings(out, "/time/month", calendar.labels(), {hsize_t(months)},
                "Calendar month of each simulated month t = 0 .. T-1");
  const auto years = calendar.years();
  out.dataset("/time/year", H5T_NATIVE_INT, H5T_STD_I32LE, years.data(), {years.size()}, "year",
              "Calendar years the horizon covers; per-year probabilities count events up to the "
              "end of the year, or of the horizon in its last year");

  const hsize_t point_count = design.values.size(), key_count = design.keys.size();
  out.group("/sweep");
  {
    Handle sweep(H5Gopen2(root, "/sweep", H5P_DEFAULT), H5Gclose, "open /sweep");
    write_attribute(sweep, "design", design.kind);
    write_attribute(sweep, "points", std::uint64_t(point_count), H5T_NATIVE_UINT64);
    write_attribute(sweep, "reference", static_cast<std::int64_t>(result.reference),
                    H5T_NATIVE_INT64);
  }
  std::vector<std::string> values, hashes, yamls;
  for (std::size_t p = 0; p < point_count; ++p) {
    values.insert(values.end(), design.values[p].begin(), design.values[p].end());
    hashes.push_back(config_hash(configs[p]));
    yamls.push_back(configs[p].effective_yaml);
  }
  write_strings(out, "/sweep/keys", design.keys, {key_count},
                "The config keys swept: one per --grid, in command-line order, or the keys with "
                "a prior (--one-at-a-time), in schema order");
  write_strings(out, "/sweep/values", values, {point_count, key_count},
                "The value of each key at each point, as --set takes it (YAML text)");
  write_strings(out, "/sweep/labels", design.labels, {point_count},
                "Each point in words, for headings and legends");
  write_strings(out, "/sweep/config_hash", hashes, {point_count},
                "config_hash of each point's effective configuration: that of a sovrisk run "
                "with the point's --set");
  write_strings(out, "/sweep/config_yaml", yamls, {point_count},
                "Each point's effective configuration; sovrisk run on it reproduces the point");
  std::vector<double> point_seconds;
  for (const SweepPointResult& point : result.points)
    point_seconds.push_back(point.wall_seconds);
  out.doubles("/sweep/wall_seconds", point_seconds.data(), {point_count}, "s",
              "Wall time of each point's simulation (pilot included)");

  const std::vector<hsize_t> per_year = {point_count, years.size()};
  for (int e = 0; e < result.outputs.events; ++e) {
    const std::string group = std::string("/sweep/") + event_name(e);
    out.group(group);
    {
      Handle event_group(H5Gopen2(root, group.c_str(), H5P_DEFAULT), H5Gclose, "open " + group);
      write_attribute(event_group, "label", std::string(event_info(e).label));
      write_attribute(event_group, "description", std::string(event_info(e).description));
    }
    std::vector<std::vector<ProbabilityEstimate>> probability;
    std::vector<std::vector<DifferenceEstimate>> difference;
    std::vector<std::uint64_t> counts;
    for (const SweepPointResult& point : result.points) {
      probability.push_back(point.probability[e]);
      difference.push_back(point.difference[e]);
      counts.insert(counts.end(), point.event_month_counts[e].begin(),
                    point.event_month_counts[e].end());
    }
    const std::string what = event_info(e).description;
    const auto write = [&](const std::string& name, const std::vector<double>& data,
                           const std::string& description) {
      out.doubles(group + "/" + name, data.data(), per_year, "1", description);
    };
    write("cumulative_probability",
          by_point_and_year(probability, &ProbabilityEstimate::probability),
          "Probability of " + what +
              ", by the end of each year of /time/year (columns), at "
              "each point (rows)");
    write("stderr", by_point_and_year(probability, &ProbabilityEstimate::standard_error),
          "Standard error sqrt(p(1-p)/paths) of cumulative_probability");
    write("ci95_low", by_point_and_year(probability, &ProbabilityEstimate::ci95_low),
          "Lower end of the Wilson 95 % interval of cumulative_probability");
    write("ci95_high", by_point_and_year(probability, &ProbabilityEstimate::ci95_high),
          "Upper end of the Wilson 95 % interval of cumulative_probability");
    write("difference", by_point_and_year(difference, &DifferenceEstimate::difference),
          "cumulative_probability minus that of the reference point, from the per-path "
          "differences on common random numbers");
    write("difference_stderr", by_point_and_year(difference, &DifferenceEstimate::standard_error),
          "Standard error of difference: of the mean of the per-path differences");
    write("difference_ci95_low", by_point_and_year(difference, &DifferenceEstimate::ci95_low),
          "Lower end of the normal 95 % interval of difference");
    write("difference_ci95_high", by_point_and_year(difference, &DifferenceEstimate::ci95_high),
          "Upper end of the normal 95 % interval of difference");
    out.dataset(group + "/month_counts", H5T_NATIVE_UINT64, H5T_STD_I64LE, counts.data(),
                {point_count, hsize_t(months)}, "paths",
                "Number of paths whose first month of " + what + " is month t, at each point");
  }
}

}  // namespace

void write_sweep(const std::string& path, const SweepDesign& design,
                 const std::vector<Config>& configs, const SweepResult& result) {
  write_atomically(path, [&](Writer& out) { write_everything(out, design, configs, result); });
}

bool is_sweep_file(const std::string& path) {
  try {
    const InputFile file(path);
    return file.has_attribute("filetype") && file.text("filetype") == kSweepFileType;
  } catch (const InputError&) {
    return false;
  }
}

SweepTable read_sweep(const std::string& path) {
  const InputFile in =
      InputFile::open(path, {kSweepFileType}, "sovrisk sweep file", kSweepFormatVersion);
  SweepTable table;
  table.path = path;
  table.scenario = in.text("scenario");
  table.version = in.text("sovrisk_version");
  table.start = in.text("start");
  table.config_hash = in.text("config_hash");
  table.created_utc = in.text("created_utc");
  table.seed = in.unsigned_number("seed");
  table.paths = in.unsigned_number("paths");
  table.months = in.unsigned_number("months");
  table.wall_seconds = in.real("wall_seconds");
  if (table.paths == 0)
    throw InputError(path + ": attribute 'paths' is 0; expected at least one path");

  const Storage checksummed{true, false};
  const auto year_shape = dataset_shape(in, path, "/time/year");
  if (year_shape.size() != 1 || year_shape[0] == 0)
    throw InputError(path + ": dataset '/time/year' has shape " + shape_text(year_shape) +
                     "; expected a list of years");
  for (const std::int64_t year :
       in.read<std::int64_t>("/time/year", H5T_NATIVE_INT64, year_shape, checksummed))
    table.years.push_back(static_cast<int>(year));

  Handle sweep = open_group(in, "/sweep");
  const std::uint64_t points =
      read_numeric_attribute<std::uint64_t>(sweep, "points", H5T_NATIVE_UINT64, path + ": /sweep");
  table.design = read_string_attribute(sweep, "design", path + ": /sweep");
  const std::int64_t reference =
      read_numeric_attribute<std::int64_t>(sweep, "reference", H5T_NATIVE_INT64, path + ": /sweep");
  if (points == 0 || reference < 0 || std::uint64_t(reference) >= points) {
    throw InputError(path + ": /sweep: attribute 'reference' is " + std::to_string(reference) +
                     " of " + std::to_string(points) + " points; expected 0 to points - 1");
  }
  table.reference = static_cast<std::size_t>(reference);
  const auto key_shape = dataset_shape(in, path, "/sweep/keys");
  if (key_shape.size() != 1 || key_shape[0] == 0)
    throw InputError(path + ": dataset '/sweep/keys' has shape " + shape_text(key_shape) +
                     "; expected a list of keys");
  table.keys = read_strings(in, "/sweep/keys", key_shape);
  const std::size_t point_count = points, key_count = table.keys.size();
  const auto values = read_strings(in, "/sweep/values", {point_count, key_count});
  for (std::size_t p = 0; p < point_count; ++p)
    table.values.emplace_back(values.begin() + p * key_count, values.begin() + (p + 1) * key_count);
  table.labels = read_strings(in, "/sweep/labels", {point_count});

  const std::vector<std::size_t> per_year = {point_count, table.years.size()};
  for (const std::string& event : in.texts("events")) {
    const std::string group = "/sweep/" + event;
    Handle event_group = open_group(in, group);
    SweepTable::Event column{
        event, read_string_attribute(event_group, "label", path + ": " + group), {}, {}};
    // Probabilities and their differences; the normal interval of a difference
    // is not clipped to [-1, 1], so its ends need only be finite.
    const auto read = [&](const std::string& name, double low, double high) {
      auto values = in.read<double>(group + "/" + name, H5T_NATIVE_DOUBLE, per_year, checksummed);
      check_range(path, group + "/" + name, values, low, high);
      return values;
    };
    const double huge = std::numeric_limits<double>::max();
    const auto p = read("cumulative_probability", 0, 1), se = read("stderr", 0, 1),
               low = read("ci95_low", 0, 1), high = read("ci95_high", 0, 1);
    const auto d = read("difference", -1, 1), dse = read("difference_stderr", 0, 1),
               dlow = read("difference_ci95_low", -huge, huge),
               dhigh = read("difference_ci95_high", -huge, huge);
    for (std::size_t point = 0; point < point_count; ++point) {
      column.probability.emplace_back();
      column.difference.emplace_back();
      for (std::size_t y = 0; y < table.years.size(); ++y) {
        const std::size_t i = point * table.years.size() + y;
        column.probability.back().push_back({p[i], se[i], low[i], high[i]});
        column.difference.back().push_back({d[i], dse[i], dlow[i], dhigh[i], true});
      }
    }
    table.events.push_back(std::move(column));
  }
  return table;
}

}  // namespace sovrisk
