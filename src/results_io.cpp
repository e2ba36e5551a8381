#include "sovrisk/results_io.h"

#include <array>
#include <charconv>

#include "hdf5_support.h"
#include "run_attributes.h"
#include "sovrisk/accumulators.h"
#include "sovrisk/engine.h"
#include "sovrisk/priors.h"
#include "sovrisk/statistics.h"
#include "sovrisk/version.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// The coordinates of the datasets of one group (docs/output.md, "Dimensions and
// coordinates"): dimension scales in the group itself, so that a netCDF reader
// (xarray with h5netcdf) that opens the group alone names every dimension and
// gives it values. Each writes the scale `<group>/<name>` and returns it open,
// for attach_dimension_scales.
class Coordinates {
 public:
  Coordinates(Writer& out, const Calendar& calendar) : out_(out), labels_(calendar.labels()) {
    for (const auto& label : labels_)
      label_pointers_.push_back(label.c_str());
    years_ = calendar.years();
  }

  Handle month(const std::string& group) {
    Handle text = string_type();
    return scale(
        out_.dataset(group + "/month", text, text, label_pointers_.data(), {label_pointers_.size()},
                     "YYYY-MM", "Calendar month of each simulated month t = 0 .. T-1"),
        "month");
  }

  Handle year(const std::string& group) {
    return scale(out_.dataset(group + "/year", H5T_NATIVE_INT, H5T_STD_I32LE, years_.data(),
                              {years_.size()}, "year",
                              "Calendar years the horizon covers; per-year probabilities count "
                              "events up to the end of the year, or of the horizon in its last "
                              "year"),
                 "year");
  }

  Handle quantile(const std::string& group) {
    return scale(out_.doubles(group + "/quantile", kFanLevels.data(), {kFanLevels.size()}, "1",
                              "Quantile level of each column of the fan charts"),
                 "quantile");
  }

  // The first `count` paths of the run (the sample paths).
  Handle path(const std::string& group, std::size_t count) {
    std::vector<std::int64_t> index(count);
    for (std::size_t i = 0; i < count; ++i)
      index[i] = static_cast<std::int64_t>(i);
    return scale(out_.dataset(group + "/path", H5T_NATIVE_INT64, H5T_STD_I64LE, index.data(),
                              {hsize_t(count)}, "path index", "Index i of each path, from 0"),
                 "path");
  }

  // Every path of the run, written a chunk at a time (it may be long).
  Handle every_path(const std::string& group, std::size_t count) {
    return scale(out_.index(group + "/path", count, "path index", "Index i of each path, from 0"),
                 "path");
  }

 private:
  static Handle scale(Handle set, const std::string& name) {
    make_dimension_scale(set, name);
    return set;
  }

  Writer& out_;
  std::vector<std::string> labels_;
  std::vector<const char*> label_pointers_;
  std::vector<int> years_;
};

// The priors (docs/config.md, "Priors") and, with --per-path, every path's
// draw of them, recomputed from the config: they are a function of the seed
// and the path alone, so no part of a run needs to carry them.
// /priors/key is the dimension `key` of the others (docs/output.md, "Dimensions and coordinates").
void write_priors(Writer& out, Coordinates& coordinates, const Config& config,
                  const SimulationResult& result) {
  out.group("/priors");
  std::vector<std::string> keys, priors;
  for (const ParameterPrior& entry : config.priors) {
    keys.push_back(entry.key);
    priors.push_back(entry.prior.describe());
  }
  const Handle key = write_strings(out, "/priors/key", keys, {keys.size()},
                                   "The keys given as priors, in schema order");
  make_dimension_scale(key, "key");
  attach_dimension_scales(
      write_strings(out, "/priors/prior", priors, {priors.size()},
                    "Each key's prior, as the config gives it (family {parameters})"),
      {key}, "/priors/prior");
  if (result.per_path_event_month[0].empty())
    return;
  const std::uint64_t paths = result.paths;
  std::vector<double> draws;
  draws.reserve(paths * keys.size());
  for (std::uint64_t path = 0; path < paths; ++path) {
    const std::vector<double> values = parameters_of_path(config, path);
    draws.insert(draws.end(), values.begin(), values.end());
  }
  const Handle path = coordinates.every_path("/priors", paths);
  attach_dimension_scales(
      out.doubles("/priors/draws", draws.data(), {hsize_t(paths), hsize_t(keys.size())},
                  "the key's",
                  "Each path's value of each key of /priors/key, one row per path "
                  "(written with --per-path)"),
      {path, key}, "/priors/draws");
}

// The statistics conditional on default (docs/output.md, "Conditional on
// default: /conditional").
void write_conditional(Writer& out, Coordinates& coordinates, const SimulationResult& result) {
  const ConditionalResult& conditional = result.conditional;
  const int months = result.calendar.months();
  const hid_t root = out.file();
  out.group("/conditional");
  const auto fans = [&](const std::string& group,
                        const std::array<RowMajorArray, kVariableCount>& fan, std::uint64_t paths,
                        const std::string& condition) {
    out.group(group);
    {
      Handle condition_group(H5Gopen2(root, group.c_str(), H5P_DEFAULT), H5Gclose, "open " + group);
      write_attribute(condition_group, "paths", paths, H5T_NATIVE_UINT64);
    }
    out.group(group + "/fan");
    const Handle month = coordinates.month(group + "/fan");
    const Handle quantile = coordinates.quantile(group + "/fan");
    for (int v = 0; v < result.outputs.variables; ++v) {
      const VariableInfo& info = variable_info(v);
      const std::string name = group + "/fan/" + info.name;
      const Handle set = out.doubles(
          name, fan[v].data(), {hsize_t(months), kFanLevels.size()}, info.units,
          std::string(info.description) + ": quantiles 5, 10, 25, 50, 75, 90, 95 % per month of " +
              "the paths that " + condition + " (NaN if none)");
      attach_dimension_scales(set, {month, quantile}, name);
      write_attribute(set, "label", std::string(info.label));
    }
  };
  fans("/conditional/default", conditional.fan_default, conditional.default_paths,
       "default by the end of the horizon");
  fans("/conditional/no_default", conditional.fan_no_default,
       result.paths - conditional.default_paths, "do not default by the end of the horizon");

  out.group("/conditional/default_month");
  const Handle quantile = coordinates.quantile("/conditional/default_month");
  const char* driver_units[DefaultDrivers::kCount] = {variable_info(kOilPrice).units,
                                                      variable_info(kFx).units,
                                                      variable_info(kFund).units, "RUB bn"};
  const char* driver_descriptions[DefaultDrivers::kCount] = {
      "Oil price P_t", "Exchange rate X_t", "Fund balance F_t",
      "Unfinanced gap of the 12 months up to the month, the sum eq. (13) compares with "
      "gap_threshold times annual GDP"};
  for (int d = 0; d < DefaultDrivers::kCount; ++d) {
    const std::string name = std::string("/conditional/default_month/") + DefaultDrivers::kNames[d];
    attach_dimension_scales(
        out.doubles(name, conditional.default_month[d].data(), {kFanLevels.size()}, driver_units[d],
                    std::string(driver_descriptions[d]) +
                        " at the default month of the defaulting paths: quantiles 5, 10, 25, 50, "
                        "75, 90, 95 % (NaN if none)"),
        {quantile}, name);
  }
  std::vector<std::int32_t> month_numbers(12);
  for (int m = 0; m < 12; ++m)
    month_numbers[m] = m + 1;
  Handle month_of_year =
      out.dataset("/conditional/default_month/month_of_year", H5T_NATIVE_INT32, H5T_STD_I32LE,
                  month_numbers.data(), {12}, "month", "Calendar month, 1 = January");
  make_dimension_scale(month_of_year, "month_of_year");
  attach_dimension_scales(
      out.dataset("/conditional/default_month/calendar_month", H5T_NATIVE_UINT64, H5T_STD_I64LE,
                  conditional.calendar_month.data(), {12}, "paths",
                  "Paths whose default month falls in January .. December"),
      {month_of_year}, "/conditional/default_month/calendar_month");

  std::vector<std::int32_t> lags(months);
  for (int m = 0; m < months; ++m)
    lags[m] = m;
  Handle lag =
      out.dataset("/conditional/lag", H5T_NATIVE_INT32, H5T_STD_I32LE, lags.data(),
                  {hsize_t(months)}, "months", "Months from fund depletion to default, 0 .. T-1");
  make_dimension_scale(lag, "lag");
  const Handle lag_counts = out.dataset(
      "/conditional/depletion_to_default_lag", H5T_NATIVE_UINT64, H5T_STD_I64LE,
      conditional.depletion_lag.data(), {hsize_t(months)}, "paths",
      "Defaulting paths whose default month is their fund depletion month plus the lag; "
      "attribute without_depletion: those with no depletion by their default month");
  attach_dimension_scales(lag_counts, {lag}, "/conditional/depletion_to_default_lag");
  write_attribute(lag_counts, "without_depletion", conditional.without_depletion,
                  H5T_NATIVE_UINT64);
}

void write_everything(Writer& out, const Config& config, const SimulationResult& result,
                      const std::optional<ReplayRecord>& replay) {
  const hid_t root = out.file();
  const Calendar& calendar = result.calendar;
  const int months = calendar.months();
  write_run_attributes(root, config,
                       {kResultFileType, kResultFormatVersion, result.wall_seconds, result.threads,
                        static_cast<std::uint64_t>(result.sample_paths[0].rows()), result.outputs});
  write_attribute(root, "start", calendar.label(0));
  if (replay) {
    write_attribute(root, "history_csv", replay->history_csv);
    write_attribute(root, "replay_options", replay->options);
  }

  Coordinates coordinates(out, calendar);
  out.group("/time");
  coordinates.month("/time");
  coordinates.year("/time");
  const auto years = calendar.years();

  const auto year_ends = calendar.last_month_of_each_year();
  for (int e = 0; e < result.outputs.events; ++e) {
    const std::string group = std::string("/") + event_name(e);
    out.group(group);
    {
      Handle event_group(H5Gopen2(root, group.c_str(), H5P_DEFAULT), H5Gclose, "open " + group);
      write_attribute(event_group, "label", std::string(event_info(e).label));
      write_attribute(event_group, "description", std::string(event_info(e).description));
    }
    const auto estimates =
        cumulative_probability(result.event_month_counts[e], result.paths, year_ends);
    std::vector<double> probability, error, low, high;
    for (const auto& estimate : estimates) {
      probability.push_back(estimate.probability);
      error.push_back(estimate.standard_error);
      low.push_back(estimate.ci95_low);
      high.push_back(estimate.ci95_high);
    }
    const std::string what = event_info(e).description;
    const std::vector<hsize_t> per_year = {years.size()};
    const Handle year = coordinates.year(group);
    const Handle month = coordinates.month(group);
    const auto by_year = [&](const std::string& name, const std::vector<double>& values,
                             const std::string& description) {
      attach_dimension_scales(out.doubles(name, values.data(), per_year, "1", description), {year},
                              name);
    };
    by_year(group + "/cumulative_probability", probability,
            "Probability of " + what + ", by the end of each year of /time/year");
    by_year(group + "/stderr", error,
            "Standard error sqrt(p(1-p)/paths) of cumulative_probability");
    by_year(group + "/ci95_low", low,
            "Lower end of the Wilson 95 % interval of cumulative_probability");
    by_year(group + "/ci95_high", high,
            "Upper end of the Wilson 95 % interval of cumulative_probability");
    attach_dimension_scales(
        out.dataset(group + "/month_counts", H5T_NATIVE_UINT64, H5T_STD_I64LE,
                    result.event_month_counts[e].data(), {hsize_t(months)}, "paths",
                    "Number of paths whose first month of " + what + " is month t"),
        {month}, group + "/month_counts");
  }

  if (!result.per_path_event_month[0].empty()) {
    out.group("/per_path");
    const Handle path = coordinates.every_path("/per_path", result.per_path_event_month[0].size());
    for (int e = 0; e < result.outputs.events; ++e) {
      const std::string name = "/per_path/" + std::string(event_name(e)) + "_month";
      attach_dimension_scales(
          out.compressed_integers(
              name, result.per_path_event_month[e], "month index",
              "First month t of " + std::string(event_info(e).description) +
                  " on each path, -1 if it never happens (written with --per-path)"),
          {path}, name);
    }
  }

  if (!config.priors.empty())
    write_priors(out, coordinates, config, result);

  out.group("/fan");
  out.group("/fan_error_bound");
  out.group("/mean");
  out.group("/sample_paths");
  const Handle fan_month = coordinates.month("/fan");
  const Handle fan_quantile = coordinates.quantile("/fan");
  const Handle error_month = coordinates.month("/fan_error_bound");
  const Handle mean_month = coordinates.month("/mean");
  const Handle sample_path = coordinates.path("/sample_paths", result.sample_paths[0].rows());
  const Handle sample_month = coordinates.month("/sample_paths");
  for (int v = 0; v < result.outputs.variables; ++v) {
    const VariableInfo& info = variable_info(v);
    const std::string name = info.name;
    const std::string label = info.label;
    {
      Handle fan = out.doubles(
          "/fan/" + name, result.fan[v].data(), {hsize_t(months), kFanLevels.size()}, info.units,
          std::string(info.description) +
              ": quantiles 5, 10, 25, 50, 75, 90, 95 % per month, from per-month "
              "histograms");
      attach_dimension_scales(fan, {fan_month, fan_quantile}, "/fan/" + name);
      write_attribute(fan, "label", label);
      const hsize_t level_count = kFanLevels.size();
      Handle space(H5Screate_simple(1, &level_count, nullptr), H5Sclose, "make a space");
      Handle attribute(
          H5Acreate2(fan, "quantiles", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
          "create attribute quantiles");
      check(H5Awrite(attribute, H5T_NATIVE_DOUBLE, kFanLevels.data()), "write attribute quantiles");
    }
    const Handle error_bound = out.doubles(
        "/fan_error_bound/" + name, result.fan_bin_width[v].data(), {hsize_t(months)}, info.units,
        "Bound on the error of each quantile in /fan/" + name +
            " that lies inside the histogram range: one bin width");
    attach_dimension_scales(error_bound, {error_month}, "/fan_error_bound/" + name);
    write_attribute(error_bound, "label", label);
    const Handle mean =
        out.doubles("/mean/" + name, result.mean[v].data(), {hsize_t(months)}, info.units,
                    std::string(info.description) + ": mean over all paths per month");
    attach_dimension_scales(mean, {mean_month}, "/mean/" + name);
    write_attribute(mean, "label", label);
    const Handle samples = out.doubles(
        "/sample_paths/" + name, result.sample_paths[v].data(),
        {hsize_t(result.sample_paths[v].rows()), hsize_t(months)}, info.units,
        std::string(info.description) + ": the first paths of the run, one row per path");
    attach_dimension_scales(samples, {sample_path, sample_month}, "/sample_paths/" + name);
    write_attribute(samples, "label", label);
  }
  write_conditional(out, coordinates, result);
}

}  // namespace

void write_results(const std::string& path, const Config& config, const SimulationResult& result,
                   const std::optional<ReplayRecord>& replay) {
  write_atomically(path, [&](Writer& out) { write_everything(out, config, result, replay); });
}

ResultFile::ResultFile(const std::string& path)
    : file_(std::make_unique<InputFile>(
          InputFile::open(path, {kResultFileType}, "sovrisk result file", kResultFormatVersion))) {
  // Same major version (open checked it): 1.0 and 1.1 files hold unchecksummed datasets.
  const std::string version = file_->text("format_version");
  const auto dot = version.find('.');
  int minor = 0;
  if (dot != std::string::npos) {
    const char* end = version.data() + version.size();
    if (std::from_chars(version.data() + dot + 1, end, minor).ptr != end)
      throw InputError(path + ": format version '" + version + "' is not MAJOR.MINOR");
  }
  checksummed_ = minor >= 2;
}

ResultFile::~ResultFile() = default;

std::string ResultFile::string_attribute(const std::string& name) const {
  return file_->text(name);
}

bool ResultFile::has_attribute(const std::string& name) const {
  return file_->has_attribute(name);
}

std::vector<std::string> ResultFile::variables() const {
  return listed_outputs(*file_).variables;
}

std::vector<std::string> ResultFile::events() const {
  return listed_outputs(*file_).events;
}

std::string ResultFile::event_label(const std::string& event) const {
  const std::string group = "/" + event;
  if (!has(group))
    throw InputError(file_->path() + ": group '" + group + "' is missing");
  Handle object(H5Oopen(*file_, group.c_str(), H5P_DEFAULT), H5Oclose, "open " + group);
  if (H5Aexists(object, "label") > 0)
    return read_string_attribute(object, "label", file_->path() + ": " + group);
  for (const EventInfo& info : kEvents) {
    if (event == info.name)
      return info.label;
  }
  return event;
}

std::string ResultFile::label() const {
  return recorded_label(*file_);
}

std::optional<std::vector<std::string>> ResultFile::overrides() const {
  return recorded_overrides(*file_);
}

const std::string& ResultFile::path() const {
  return file_->path();
}

std::uint64_t ResultFile::unsigned_attribute(const std::string& name) const {
  return file_->unsigned_number(name);
}

double ResultFile::double_attribute(const std::string& name) const {
  return file_->real(name);
}

bool ResultFile::has(const std::string& dataset) const {
  htri_t exists;
  H5E_BEGIN_TRY {
    exists = H5Oexists_by_name(*file_, dataset.c_str(), H5P_DEFAULT);
  }
  H5E_END_TRY;
  return exists > 0;
}

std::string ResultFile::dataset_string_attribute(const std::string& dataset,
                                                 const std::string& name) const {
  Handle set = open_dataset(*file_, file_->path(), dataset);
  return read_string_attribute(set, name, file_->path() + ": " + dataset);
}

std::vector<std::size_t> ResultFile::shape(const std::string& dataset) const {
  return dataset_shape(*file_, file_->path(), dataset);
}

std::vector<double> ResultFile::doubles(const std::string& dataset) const {
  return read_all<double>(*file_, file_->path(), dataset, H5T_NATIVE_DOUBLE, {},
                          {checksummed_, false});
}

std::vector<std::int64_t> ResultFile::integers(const std::string& dataset) const {
  return read_all<std::int64_t>(*file_, file_->path(), dataset, H5T_NATIVE_INT64, {},
                                {checksummed_, false});
}

std::vector<double> ResultFile::doubles(const std::string& dataset,
                                        const std::vector<std::size_t>& shape) const {
  return file_->read<double>(dataset, H5T_NATIVE_DOUBLE, shape, {checksummed_, false});
}

std::vector<std::int64_t> ResultFile::integers(const std::string& dataset,
                                               const std::vector<std::size_t>& shape) const {
  return file_->read<std::int64_t>(dataset, H5T_NATIVE_INT64, shape, {checksummed_, false});
}

std::vector<std::string> ResultFile::strings(const std::string& dataset) const {
  Handle type = string_type();
  auto pointers = read_all<char*>(*file_, file_->path(), dataset, type, {}, {checksummed_, false});
  std::vector<std::string> out;
  for (char* text : pointers) {
    out.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return out;
}

}  // namespace sovrisk
