#include "sovrisk/uncertainty_io.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "hdf5_support.h"
#include "sovrisk/calendar.h"
#include "sovrisk/config.h"
#include "sovrisk/outputs.h"
#include "sovrisk/priors.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// A design's numbers as it writes them: float64 in checksummed chunks. One
// rewritten in another type or without its checksum is not its own.
constexpr Storage kWritten{true, true};

// The label of a registered event, else its name (a file of another version).
std::string event_label(const std::string& name) {
  for (int e = 0; e < kEventCount; ++e) {
    if (name == event_info(e).name)
      return event_info(e).label;
  }
  return name;
}

// A list of at least one entry: its length, checked before anything is read.
std::size_t list_length(const InputFile& in, const std::string& dataset, const char* what) {
  const auto shape = dataset_shape(in, in.path(), dataset);
  if (shape.size() != 1 || shape[0] == 0) {
    throw InputError(in.path() + ": dataset '" + dataset + "' has shape " + shape_text(shape) +
                     "; expected a list of " + what);
  }
  return shape[0];
}

std::vector<std::string> read_names(const InputFile& in, const std::string& dataset) {
  return read_strings(in, dataset, {list_length(in, dataset, "names")});
}

std::vector<int> read_years(const InputFile& in, const std::string& dataset) {
  const std::size_t length = list_length(in, dataset, "years");
  std::vector<int> years;
  for (const std::int64_t year :
       in.read<std::int64_t>(dataset, H5T_NATIVE_INT64, {length}, Storage{true, false}))
    years.push_back(static_cast<int>(year));
  return years;
}

DesignProvenance provenance_of(const InputFile& in) {
  DesignProvenance p;
  p.path = in.path();
  p.scenario = in.text("scenario");
  p.label = in.has_attribute("label") ? in.text("label") : p.scenario;
  p.version = in.text("sovrisk_version");
  p.start = in.text("start");
  p.config_hash = in.text("config_hash");
  p.created_utc = in.text("created_utc");
  p.seed = in.unsigned_number("seed");
  p.months = in.unsigned_number("months");
  p.wall_seconds = in.real("wall_seconds");
  return p;
}

// The calendar years of a design's datasets are those its horizon (`start`,
// `months`) touches, consecutive; a file whose attributes say otherwise is
// damaged.
void check_horizon(const DesignProvenance& p, const std::vector<int>& years) {
  if (years != recorded_calendar(p.path, p.start, p.months).years()) {
    throw InputError(p.path + ": its years are not those of " + std::to_string(p.months) +
                     " months from " + p.start + " (damaged file?)");
  }
}

// A design's parameters are the keys with priors of its recorded
// configuration, in their order: the rows of its tables belong to them. (The
// list is text, which HDF5 does not checksum.)
void check_parameters(const InputFile& in, const std::vector<std::string>& parameters,
                      const std::string& dataset) {
  const Config config = recorded_config(in.path(), in.text("config_yaml"), in.text("config_hash"));
  if (parameters != prior_keys(config)) {
    throw InputError(in.path() + ": dataset '" + dataset +
                     "' does not list the keys with priors of its configuration, in order");
  }
}

std::vector<std::string> events_of(const InputFile& in) {
  std::vector<std::string> events = in.texts("events");
  if (events.empty())
    throw InputError(in.path() + ": attribute 'events' lists no event");
  return events;
}

std::uint64_t at_least_one(const std::string& where, const std::string& name, std::uint64_t value) {
  if (value == 0)
    throw InputError(where + ": attribute '" + name + "' is 0; expected at least 1");
  return value;
}

// Rows of a row-major (rows x columns) array.
std::vector<std::vector<double>> rows_of(const std::vector<double>& values, std::size_t rows,
                                         std::size_t columns) {
  std::vector<std::vector<double>> out;
  for (std::size_t r = 0; r < rows; ++r)
    out.emplace_back(values.begin() + r * columns, values.begin() + (r + 1) * columns);
  return out;
}

}  // namespace

std::string file_type_of(const std::string& path) {
  try {
    const InputFile file(path);
    return file.has_attribute("filetype") ? file.text("filetype") : "";
  } catch (const InputError&) {
    return "";
  }
}

BandTable read_band(const std::string& path) {
  const InputFile in =
      InputFile::open(path, {kBandFileType}, "sovrisk band file", kDesignFormatVersion);
  BandTable table;
  table.provenance = provenance_of(in);
  table.outer = at_least_one(path, "outer", in.unsigned_number("outer"));
  table.inner = at_least_one(path, "inner", in.unsigned_number("inner"));
  table.years = read_years(in, "/band/year");
  check_horizon(table.provenance, table.years);
  table.parameters = read_names(in, "/band/parameters");
  check_parameters(in, table.parameters, "/band/parameters");
  const std::size_t years = table.years.size();
  for (const std::string& event : events_of(in)) {
    const std::string group = "/band/" + event;
    open_group(in, group);
    BandTable::Event column{event, event_label(event), {}, {}, {}, {}, {}};
    const auto read = [&](const std::string& name, std::vector<std::size_t> shape) {
      auto values = in.read<double>(group + "/" + name, H5T_NATIVE_DOUBLE, shape, kWritten);
      check_range(path, group + "/" + name, values, 0, 1);
      return values;
    };
    column.integrated = read("integrated", {years});
    column.integrated_stderr = read("integrated_stderr", {years});
    const auto q = read("quantile", {3, years}), low = read("quantile_ci_low", {3, years}),
               high = read("quantile_ci_high", {3, years});
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (!(low[i] <= q[i] && q[i] <= high[i])) {
        throw InputError(path + ": dataset '" + group + "/quantile' lies outside [" + group +
                         "/quantile_ci_low, quantile_ci_high] at index " + std::to_string(i));
      }
    }
    for (std::size_t l = 0; l < 3; ++l) {
      column.quantile[l].assign(q.begin() + l * years, q.begin() + (l + 1) * years);
      column.quantile_low[l].assign(low.begin() + l * years, low.begin() + (l + 1) * years);
      column.quantile_high[l].assign(high.begin() + l * years, high.begin() + (l + 1) * years);
    }
    table.events.push_back(std::move(column));
  }
  return table;
}

SensitivityTable read_sensitivity(const std::string& path) {
  const InputFile in = InputFile::open(path, {kSensitivityFileType}, "sovrisk sensitivity file",
                                       kDesignFormatVersion);
  SensitivityTable table;
  table.provenance = provenance_of(in);
  {
    Handle sobol = open_group(in, "/sobol");
    const std::string where = path + ": /sobol";
    table.rows = at_least_one(
        where, "N", read_numeric_attribute<std::uint64_t>(sobol, "N", H5T_NATIVE_UINT64, where));
    table.inner = at_least_one(
        where, "M", read_numeric_attribute<std::uint64_t>(sobol, "M", H5T_NATIVE_UINT64, where));
    table.resamples =
        read_numeric_attribute<std::int64_t>(sobol, "bootstrap_resamples", H5T_NATIVE_INT64, where);
  }
  table.parameters = read_names(in, "/sobol/parameters");
  check_parameters(in, table.parameters, "/sobol/parameters");
  table.years = read_years(in, "/sobol/year");
  check_horizon(table.provenance, table.years);
  const std::size_t k = table.parameters.size(), years = table.years.size();
  const double huge = std::numeric_limits<double>::max();
  for (const std::string& event : events_of(in)) {
    const std::string group = "/sobol/" + event;
    open_group(in, group);
    SensitivityTable::Event column;
    column.name = event;
    column.label = event_label(event);
    const auto read = [&](const std::string& name, std::vector<std::size_t> shape, double low,
                          double high) {
      auto values = in.read<double>(group + "/" + name, H5T_NATIVE_DOUBLE, shape, kWritten);
      check_range(path, group + "/" + name, values, low, high);
      return values;
    };
    // Estimates and bootstrap ends need only be finite: Jansen's estimators can
    // fall outside [0, 1] by sampling error.
    const auto indices = [&](const std::string& name) {
      return SensitivityTable::Indices{
          rows_of(read(name, {k, years}, -huge, huge), k, years),
          rows_of(read(name + "_ci_low", {k, years}, -huge, huge), k, years),
          rows_of(read(name + "_ci_high", {k, years}, -huge, huge), k, years)};
    };
    column.first_order = indices("first_order");
    column.total_order = indices("total_order");
    column.variance = read("variance", {years}, 0, 1);
    column.inner_variance = read("inner_variance", {years}, 0, 1);
    table.events.push_back(std::move(column));
  }
  return table;
}

std::vector<std::size_t> SensitivityTable::ranked(const Event& event, std::size_t year) const {
  std::vector<std::size_t> order(parameters.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return event.total_order.value[a][year] > event.total_order.value[b][year];
  });
  return order;
}

}  // namespace sovrisk
