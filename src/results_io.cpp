#include "sovrisk/results_io.h"

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "sovrisk/accumulators.h"
#include "sovrisk/statistics.h"
#include "sovrisk/version.h"

namespace sovrisk {
namespace {

// Owns one HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id_ < 0) throw std::runtime_error("HDF5: cannot " + what);
  }
  ~Handle() {
    if (id_ >= 0) close_(id_);
  }
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: cannot " + what);
}

Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "make a string type");
  check(H5Tset_size(type, H5T_VARIABLE), "size a string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set a string type's character set");
  return type;
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make a scalar space");
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  const char* text = value.c_str();
  check(H5Awrite(attribute, type, &text), "write attribute " + name);
}

template <typename T>
void write_attribute(hid_t object, const std::string& name, T value, hid_t type) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make a scalar space");
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                   "create attribute " + name);
  check(H5Awrite(attribute, type, &value), "write attribute " + name);
}

class Writer {
 public:
  explicit Writer(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
              "create " + path) {}

  hid_t file() const { return file_; }

  void group(const std::string& name) {
    Handle group(H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 "create group " + name);
  }

  // Writes a dataset of `dims` from `data` (row-major) with its units and description.
  void dataset(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
               std::vector<hsize_t> dims, const std::string& units, const std::string& description) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                 "make the space of " + name);
    Handle set(H5Dcreate2(file_, name.c_str(), file_type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               H5Dclose, "create dataset " + name);
    bool empty = false;
    for (hsize_t d : dims) empty = empty || d == 0;
    if (!empty) check(H5Dwrite(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + name);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
  }

  // One value per path: chunked and compressed, since it is long and mostly -1.
  void compressed_integers(const std::string& name, const std::vector<std::int32_t>& values,
                           const std::string& units, const std::string& description) {
    const hsize_t size = values.size();
    const hsize_t chunk = std::min<hsize_t>(size, 1 << 16);
    Handle space(H5Screate_simple(1, &size, nullptr), H5Sclose, "make the space of " + name);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "make dataset properties");
    check(H5Pset_chunk(properties, 1, &chunk), "chunk " + name);
    check(H5Pset_deflate(properties, 4), "compress " + name);
    Handle set(H5Dcreate2(file_, name.c_str(), H5T_STD_I32LE, space, H5P_DEFAULT, properties, H5P_DEFAULT),
               H5Dclose, "create dataset " + name);
    check(H5Dwrite(set, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + name);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
  }

  void doubles(const std::string& name, const double* data, std::vector<hsize_t> dims,
               const std::string& units, const std::string& description) {
    dataset(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data, std::move(dims), units, description);
  }

 private:
  Handle file_;
};

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

const std::array<const char*, kEventCount> kEventDescriptions = {{
    "sovereign default: the first month with U_t > 0 and the unfinanced gap of the last 12 months above gap_threshold times annual GDP (eq. 13)",
    "fund depletion: the first month with F_t <= fund floor (eq. 14)",
    "bank crisis: at the default month, haircut * (holdings0 + S_t) > capital + F_t (eq. 15)",
}};

void write_everything(Writer& out, const Config& config, const SimulationResult& result,
                      const std::optional<std::string>& history_csv) {
  const hid_t root = out.file();
  const Calendar& calendar = result.calendar;
  const int months = calendar.months();
  write_attribute(root, "filetype", std::string(kResultFileType));
  write_attribute(root, "format_version", std::string(kResultFormatVersion));
  write_attribute(root, "sovrisk_version", std::string(kVersion));
  write_attribute(root, "seed", result.seed, H5T_NATIVE_UINT64);
  write_attribute(root, "paths", result.paths, H5T_NATIVE_UINT64);
  write_attribute(root, "months", static_cast<std::int64_t>(months), H5T_NATIVE_INT64);
  write_attribute(root, "start", calendar.label(0));
  write_attribute(root, "scenario", config.scenario.name);
  write_attribute(root, "config_yaml", config.effective_yaml);
  write_attribute(root, "config_hash", config_hash(config));
  if (history_csv) write_attribute(root, "history_csv", *history_csv);
  write_attribute(root, "created_utc", utc_now());
  write_attribute(root, "wall_seconds", result.wall_seconds, H5T_NATIVE_DOUBLE);
  write_attribute(root, "threads", static_cast<std::int64_t>(result.threads), H5T_NATIVE_INT64);
  write_attribute(root, "block_size", static_cast<std::int64_t>(kBlockSize), H5T_NATIVE_INT64);
  write_attribute(root, "sample_paths", static_cast<std::int64_t>(result.sample_paths[0].rows()),
                  H5T_NATIVE_INT64);

  out.group("/time");
  const auto labels = calendar.labels();
  std::vector<const char*> label_pointers;
  for (const auto& label : labels) label_pointers.push_back(label.c_str());
  Handle text = string_type();
  out.dataset("/time/month", text, text, label_pointers.data(), {hsize_t(months)}, "YYYY-MM",
              "Calendar month of each simulated month t = 0 .. T-1");
  const auto years = calendar.years();
  out.dataset("/time/year", H5T_NATIVE_INT, H5T_STD_I32LE, years.data(), {years.size()}, "year",
              "Calendar years the horizon covers; per-year probabilities count events up to the "
              "end of the year, or of the horizon in its last year");

  const auto year_ends = calendar.last_month_of_each_year();
  for (int e = 0; e < kEventCount; ++e) {
    const std::string group = std::string("/") + event_name(e);
    out.group(group);
    const auto estimates = cumulative_probability(result.event_month_counts[e], result.paths, year_ends);
    std::vector<double> probability, error, low, high;
    for (const auto& estimate : estimates) {
      probability.push_back(estimate.probability);
      error.push_back(estimate.standard_error);
      low.push_back(estimate.ci95_low);
      high.push_back(estimate.ci95_high);
    }
    const std::string what = kEventDescriptions[e];
    const std::vector<hsize_t> per_year = {years.size()};
    out.doubles(group + "/cumulative_probability", probability.data(), per_year, "1",
                "Probability of " + what + ", by the end of each year of /time/year");
    out.doubles(group + "/stderr", error.data(), per_year, "1",
                "Standard error sqrt(p(1-p)/paths) of cumulative_probability");
    out.doubles(group + "/ci95_low", low.data(), per_year, "1",
                "Lower end of the Wilson 95 % interval of cumulative_probability");
    out.doubles(group + "/ci95_high", high.data(), per_year, "1",
                "Upper end of the Wilson 95 % interval of cumulative_probability");
    out.dataset(group + "/month_counts", H5T_NATIVE_UINT64, H5T_STD_I64LE,
                result.event_month_counts[e].data(), {hsize_t(months)}, "paths",
                "Number of paths whose first month of " + what + " is month t");
  }

  if (!result.per_path_event_month[0].empty()) {
    out.group("/per_path");
    for (int e = 0; e < kEventCount; ++e) {
      out.compressed_integers("/per_path/" + std::string(event_name(e)) + "_month",
                              result.per_path_event_month[e], "month index",
                              "First month t of " + std::string(kEventDescriptions[e]) +
                                  " on each path, -1 if it never happens (written with --per-path)");
    }
  }

  out.group("/fan");
  out.group("/fan_error_bound");
  out.group("/mean");
  out.group("/sample_paths");
  for (int v = 0; v < kVariableCount; ++v) {
    const VariableInfo& info = variable_info(v);
    const std::string name = info.name;
    out.doubles("/fan/" + name, result.fan[v].data(), {hsize_t(months), kFanLevels.size()}, info.units,
                std::string(info.description) +
                    ": quantiles 5, 10, 25, 50, 75, 90, 95 % per month, from per-month histograms");
    {
      Handle set(H5Dopen2(root, ("/fan/" + name).c_str(), H5P_DEFAULT), H5Dclose, "reopen /fan/" + name);
      const hsize_t level_count = kFanLevels.size();
      Handle space(H5Screate_simple(1, &level_count, nullptr), H5Sclose, "make a space");
      Handle attribute(H5Acreate2(set, "quantiles", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT),
                       H5Aclose, "create attribute quantiles");
      check(H5Awrite(attribute, H5T_NATIVE_DOUBLE, kFanLevels.data()), "write attribute quantiles");
    }
    out.doubles("/fan_error_bound/" + name, result.fan_bin_width[v].data(), {hsize_t(months)},
                info.units,
                "Bound on the error of each quantile in /fan/" + name +
                    " that lies inside the histogram range: one bin width");
    out.doubles("/mean/" + name, result.mean[v].data(), {hsize_t(months)}, info.units,
                std::string(info.description) + ": mean over all paths per month");
    out.doubles("/sample_paths/" + name, result.sample_paths[v].data(),
                {hsize_t(result.sample_paths[v].rows()), hsize_t(months)}, info.units,
                std::string(info.description) + ": the first paths of the run, one row per path");
  }
}

}  // namespace

void write_results(const std::string& path, const Config& config, const SimulationResult& result,
                   const std::optional<std::string>& history_csv) {
  // Failures surface as one exception with a message; HDF5's own stack dump would only clutter it.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  try {
    {
      Writer out(temporary);
      write_everything(out, config, result, history_csv);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename " + temporary + " to " + path);
    }
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

namespace {

herr_t close_file(hid_t id) { return H5Fclose(id); }

[[noreturn]] void refuse(const std::string& path, const std::string& message) {
  throw InputError(path + ": " + message);
}

}  // namespace

ResultFile::ResultFile(const std::string& path) : path_(path), file_(-1) {
  if (access(path.c_str(), R_OK) != 0) refuse(path, "cannot open the file");
  H5E_BEGIN_TRY { file_ = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  if (file_ < 0) refuse(path, "not an HDF5 file");
  std::string type;
  try {
    type = string_attribute("filetype");
  } catch (const InputError&) {
    close_file(file_);
    refuse(path, "not a sovrisk result file (no 'filetype' attribute)");
  }
  if (type != kResultFileType) {
    close_file(file_);
    refuse(path, "not a sovrisk result file (filetype '" + type + "')");
  }
  const std::string version = string_attribute("format_version");
  if (version.substr(0, version.find('.')) !=
      std::string(kResultFormatVersion).substr(0, std::string(kResultFormatVersion).find('.'))) {
    close_file(file_);
    refuse(path, "format version " + version + " is not readable by this sovrisk (reads " +
                     kResultFormatVersion + ")");
  }
}

ResultFile::~ResultFile() {
  if (file_ >= 0) close_file(file_);
}

namespace {

hid_t open_attribute(hid_t object, const std::string& name) {
  hid_t attribute;
  H5E_BEGIN_TRY { attribute = H5Aopen(object, name.c_str(), H5P_DEFAULT); }
  H5E_END_TRY;
  return attribute;
}

std::string read_string_attribute(hid_t object, const std::string& name, const std::string& where) {
  const hid_t id = open_attribute(object, name);
  if (id < 0) throw InputError(where + ": attribute '" + name + "' is missing");
  Handle attribute(id, H5Aclose, "open attribute " + name);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  if (H5Tget_class(stored) != H5T_STRING) throw InputError(where + ": attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(stored) > 0) {
    Handle type = string_type();
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), "read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(stored);
  std::string value(size, '\0');
  check(H5Aread(attribute, stored, value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

template <typename T>
T read_numeric_attribute(hid_t object, const std::string& name, hid_t type, const std::string& where) {
  const hid_t id = open_attribute(object, name);
  if (id < 0) throw InputError(where + ": attribute '" + name + "' is missing");
  Handle attribute(id, H5Aclose, "open attribute " + name);
  T value{};
  check(H5Aread(attribute, type, &value), "read attribute " + name);
  return value;
}

}  // namespace

std::string ResultFile::string_attribute(const std::string& name) const {
  return read_string_attribute(file_, name, path_);
}

std::uint64_t ResultFile::unsigned_attribute(const std::string& name) const {
  return read_numeric_attribute<std::uint64_t>(file_, name, H5T_NATIVE_UINT64, path_);
}

double ResultFile::double_attribute(const std::string& name) const {
  return read_numeric_attribute<double>(file_, name, H5T_NATIVE_DOUBLE, path_);
}

bool ResultFile::has(const std::string& dataset) const {
  htri_t exists;
  H5E_BEGIN_TRY { exists = H5Oexists_by_name(file_, dataset.c_str(), H5P_DEFAULT); }
  H5E_END_TRY;
  return exists > 0;
}

namespace {

hid_t open_dataset(hid_t file, const std::string& path, const std::string& dataset) {
  hid_t id;
  H5E_BEGIN_TRY { id = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT); }
  H5E_END_TRY;
  if (id < 0) throw InputError(path + ": dataset '" + dataset + "' is missing");
  return id;
}

}  // namespace

std::string ResultFile::dataset_string_attribute(const std::string& dataset, const std::string& name) const {
  Handle set(open_dataset(file_, path_, dataset), H5Dclose, "open " + dataset);
  return read_string_attribute(set, name, path_ + ": " + dataset);
}

std::vector<std::size_t> ResultFile::shape(const std::string& dataset) const {
  Handle set(open_dataset(file_, path_, dataset), H5Dclose, "open " + dataset);
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

namespace {

template <typename T>
std::vector<T> read_all(hid_t file, const std::string& path, const std::string& dataset, hid_t type) {
  Handle set(open_dataset(file, path, dataset), H5Dclose, "open " + dataset);
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  std::vector<T> values(H5Sget_simple_extent_npoints(space));
  if (!values.empty()) check(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read " + dataset);
  return values;
}

}  // namespace

std::vector<double> ResultFile::doubles(const std::string& dataset) const {
  return read_all<double>(file_, path_, dataset, H5T_NATIVE_DOUBLE);
}

std::vector<std::int64_t> ResultFile::integers(const std::string& dataset) const {
  return read_all<std::int64_t>(file_, path_, dataset, H5T_NATIVE_INT64);
}

std::vector<std::string> ResultFile::strings(const std::string& dataset) const {
  Handle type = string_type();
  auto pointers = read_all<char*>(file_, path_, dataset, type);
  std::vector<std::string> out;
  for (char* text : pointers) {
    out.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return out;
}

}  // namespace sovrisk
