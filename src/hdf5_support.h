// HDF5 plumbing shared by the result file (results_io.cpp) and the partial
// result and checkpoint files (partial_io.cpp): owned identifiers, attributes,
// datasets, reading back, and writing a file atomically. Private to src/.
#pragma once

#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sovrisk/config.h"
#include "sovrisk/engine.h"
#include "sovrisk/version.h"

namespace sovrisk::hdf5 {

// Owns one HDF5 identifier and closes it with the matching function.
class Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id_ < 0)
      throw std::runtime_error("HDF5: cannot " + what);
  }
  ~Handle() {
    if (id_ >= 0)
      close_(id_);
  }
  Handle(Handle&& other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle& operator=(Handle&&) = delete;
  operator hid_t() const { return id_; }
  // Closes now rather than when destroyed, so that the caller sees a failure.
  herr_t close() {
    const herr_t status = close_(id_);
    id_ = -1;
    return status;
  }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

inline void check(herr_t status, const std::string& what) {
  if (status < 0)
    throw std::runtime_error("HDF5: cannot " + what);
}

inline Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "make a string type");
  check(H5Tset_size(type, H5T_VARIABLE), "size a string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "set a string type's character set");
  return type;
}

inline void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make a scalar space");
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  const char* text = value.c_str();
  check(H5Awrite(attribute, type, &text), "write attribute " + name);
}

// A list of strings, as a one-dimensional attribute (the names a file holds).
inline void write_attribute(hid_t object, const std::string& name,
                            const std::vector<std::string>& values) {
  Handle type = string_type();
  const hsize_t count = values.size();
  Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose, "make the space of " + name);
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  std::vector<const char*> texts;
  for (const auto& value : values)
    texts.push_back(value.c_str());
  check(H5Awrite(attribute, type, texts.data()), "write attribute " + name);
}

template <typename T>
void write_attribute(hid_t object, const std::string& name, T value, hid_t type) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make a scalar space");
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  check(H5Awrite(attribute, type, &value), "write attribute " + name);
}

class Writer {
 public:
  explicit Writer(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
              "create " + path) {}

  hid_t file() const { return file_; }

  // Closing a file writes what HDF5 still holds of it (most of its metadata),
  // so a full disk may show only here.
  void close(const std::string& path) {
    check(file_.close(), "finish writing " + path + " (disk full?)");
  }

  void group(const std::string& name) {
    Handle group(H5Gcreate2(file_, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                 "create group " + name);
  }

  // Writes a dataset of `dims` from `data` (row-major) with its units and
  // description; returned open for further attributes.
  Handle dataset(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
                 std::vector<hsize_t> dims, const std::string& units,
                 const std::string& description) {
    Handle set = write_data(name, memory_type, file_type, data, dims, H5P_DEFAULT);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
    return set;
  }

  // One value per path: chunked and compressed, since it is long and mostly -1.
  void compressed_integers(const std::string& name, const std::vector<std::int32_t>& values,
                           const std::string& units, const std::string& description) {
    const hsize_t chunk = std::min<hsize_t>(values.size(), 1 << 16);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "make dataset properties");
    check(H5Pset_chunk(properties, 1, &chunk), "chunk " + name);
    check(H5Pset_deflate(properties, 4), "compress " + name);
    Handle set = write_data(name, H5T_NATIVE_INT32, H5T_STD_I32LE, values.data(), {values.size()},
                            properties);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
  }

  Handle doubles(const std::string& name, const double* data, std::vector<hsize_t> dims,
                 const std::string& units, const std::string& description) {
    return dataset(name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data, std::move(dims), units,
                   description);
  }

  // A dataset whose every chunk carries a Fletcher-32 checksum, so that a
  // damaged file fails to read instead of giving wrong numbers. Chunks are
  // whole rows of the first dimension, about 65536 values (at least one row),
  // compressed, since histograms and per-path months are mostly zeros and -1.
  void checksummed(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
                   std::vector<hsize_t> dims, const std::string& description) {
    hsize_t row = 1;
    for (std::size_t d = 1; d < dims.size(); ++d)
      row *= std::max<hsize_t>(dims[d], 1);
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::min<hsize_t>(dims[0], std::max<hsize_t>(1, (hsize_t(1) << 16) / row));
    for (auto& size : chunk)
      size = std::max<hsize_t>(size, 1);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "make dataset properties");
    check(H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data()), "chunk " + name);
    check(H5Pset_fletcher32(properties), "checksum " + name);
    check(H5Pset_deflate(properties, 1), "compress " + name);
    Handle set = write_data(name, memory_type, file_type, data, dims, properties);
    write_attribute(set, "description", description);
  }

 private:
  // Creates dataset `name` of `dims` with the creation properties given and
  // writes `data` into it (nothing to write when a dimension is 0).
  Handle write_data(const std::string& name, hid_t memory_type, hid_t file_type, const void* data,
                    const std::vector<hsize_t>& dims, hid_t creation_properties) {
    Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                 "make the space of " + name);
    Handle set(H5Dcreate2(file_, name.c_str(), file_type, space, H5P_DEFAULT, creation_properties,
                          H5P_DEFAULT),
               H5Dclose, "create dataset " + name);
    if (std::find(dims.begin(), dims.end(), hsize_t(0)) == dims.end()) {
      check(H5Dwrite(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + name);
    }
    return set;
  }

  Handle file_;
};

// Writes `path` by calling write(Writer&) on a temporary file beside it
// (`path.tmp-<pid>`, same directory, so the same file system) and renaming it
// over `path` once complete and closed: readers see the old file or the new
// one, never half of one. On failure the temporary file is removed.
template <typename Write>
void write_atomically(const std::string& path, Write&& write) {
  // Failures surface as one exception with a message; HDF5's own stack dump would only clutter it.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  try {
    {
      Writer out(temporary);
      write(out);
      out.close(temporary);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot rename " + temporary + " to " + path);
    }
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

inline std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

// The root attributes every sovrisk file has (docs/output.md): what it is,
// which build wrote it, the run it belongs to, and how it was computed.
struct RunAttributes {
  std::string filetype, format_version;
  double wall_seconds = 0;
  int threads = 0;
  std::uint64_t sample_paths = 0;
};

inline void write_run_attributes(hid_t root, const Config& config, const RunAttributes& run) {
  write_attribute(root, "filetype", run.filetype);
  write_attribute(root, "format_version", run.format_version);
  write_attribute(root, "sovrisk_version", std::string(kVersion));
  write_attribute(root, "seed", config.simulation.seed, H5T_NATIVE_UINT64);
  write_attribute(root, "paths", config.simulation.paths, H5T_NATIVE_UINT64);
  write_attribute(root, "months", static_cast<std::int64_t>(config.scenario.months),
                  H5T_NATIVE_INT64);
  write_attribute(root, "scenario", config.scenario.name);
  write_attribute(root, "config_yaml", config.effective_yaml);
  write_attribute(root, "config_hash", config_hash(config));
  write_attribute(root, "created_utc", utc_now());
  write_attribute(root, "wall_seconds", run.wall_seconds, H5T_NATIVE_DOUBLE);
  write_attribute(root, "threads", static_cast<std::int64_t>(run.threads), H5T_NATIVE_INT64);
  write_attribute(root, "block_size", static_cast<std::int64_t>(kBlockSize), H5T_NATIVE_INT64);
  write_attribute(root, "sample_paths", static_cast<std::int64_t>(run.sample_paths),
                  H5T_NATIVE_INT64);
}

// Reading. Whatever is missing or malformed in a file throws InputError with
// `where` (the file, and the object in it) in front of the message.

inline hid_t open_attribute(hid_t object, const std::string& name) {
  hid_t attribute;
  H5E_BEGIN_TRY {
    attribute = H5Aopen(object, name.c_str(), H5P_DEFAULT);
  }
  H5E_END_TRY;
  return attribute;
}

inline std::string read_string_attribute(hid_t object, const std::string& name,
                                         const std::string& where) {
  const hid_t id = open_attribute(object, name);
  if (id < 0)
    throw InputError(where + ": attribute '" + name + "' is missing");
  Handle attribute(id, H5Aclose, "open attribute " + name);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  if (H5Tget_class(stored) != H5T_STRING)
    throw InputError(where + ": attribute '" + name + "' is not a string");
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

// A one-dimensional attribute of variable-length strings, as write_attribute writes a list.
inline std::vector<std::string> read_string_list_attribute(hid_t object, const std::string& name,
                                                           const std::string& where) {
  const hid_t id = open_attribute(object, name);
  if (id < 0)
    throw InputError(where + ": attribute '" + name + "' is missing");
  Handle attribute(id, H5Aclose, "open attribute " + name);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  Handle space(H5Aget_space(attribute), H5Sclose, "read the space of " + name);
  if (H5Tget_class(stored) != H5T_STRING || H5Tis_variable_str(stored) <= 0 ||
      H5Sget_simple_extent_ndims(space) != 1) {
    throw InputError(where + ": attribute '" + name + "' is not a list of strings");
  }
  std::vector<char*> texts(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  Handle type = string_type();
  if (!texts.empty())
    check(H5Aread(attribute, type, texts.data()), "read attribute " + name);
  std::vector<std::string> values;
  for (char* text : texts) {
    values.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return values;
}

template <typename T>
T read_numeric_attribute(hid_t object, const std::string& name, hid_t type,
                         const std::string& where) {
  const hid_t id = open_attribute(object, name);
  if (id < 0)
    throw InputError(where + ": attribute '" + name + "' is missing");
  Handle attribute(id, H5Aclose, "open attribute " + name);
  T value{};
  check(H5Aread(attribute, type, &value), "read attribute " + name);
  return value;
}

inline hid_t open_dataset(hid_t file, const std::string& path, const std::string& dataset) {
  hid_t id;
  H5E_BEGIN_TRY {
    id = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  }
  H5E_END_TRY;
  if (id < 0)
    throw InputError(path + ": dataset '" + dataset + "' is missing");
  return id;
}

inline std::vector<std::size_t> dataset_shape(hid_t file, const std::string& path,
                                              const std::string& dataset) {
  Handle set(open_dataset(file, path, dataset), H5Dclose, "open " + dataset);
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

// The whole dataset, converted to `type`. A read that fails (a chunk whose
// checksum does not match, data cut off) is an InputError: the file is damaged.
template <typename T>
std::vector<T> read_all(hid_t file, const std::string& path, const std::string& dataset,
                        hid_t type) {
  Handle set(open_dataset(file, path, dataset), H5Dclose, "open " + dataset);
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  std::vector<T> values(H5Sget_simple_extent_npoints(space));
  if (values.empty())
    return values;
  herr_t status;
  H5E_BEGIN_TRY {
    status = H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  }
  H5E_END_TRY;
  if (status < 0) {
    throw InputError(path + ": damaged file: dataset '" + dataset +
                     "' does not read back (checksum or data cut off)");
  }
  return values;
}

// A sovrisk HDF5 file open for reading. Refuses, with InputError naming the
// file, one that cannot be opened, is not HDF5, or is damaged; open() also
// refuses another kind of file or a major format version this build cannot read.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    // Errors are reported as InputError; HDF5's own printed stack would only confuse.
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    if (access(path.c_str(), R_OK) != 0)
      throw InputError(path + ": cannot open the file");
    hid_t id;
    H5E_BEGIN_TRY {
      id = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    }
    H5E_END_TRY;
    if (id < 0)
      throw InputError(path + ": not an HDF5 file, or a damaged one (truncated?)");
    file_.emplace(id, H5Fclose, "open " + path);
  }

  // The file if its `filetype` is one of `filetypes` and its format_version has
  // the major version of `readable`; `kind` names what was expected.
  static InputFile open(const std::string& path, const std::vector<std::string>& filetypes,
                        const std::string& kind, const std::string& readable) {
    InputFile file(path);
    std::string type;
    try {
      type = file.text("filetype");
    } catch (const InputError&) {
      throw InputError(path + ": not a " + kind + " (no 'filetype' attribute)");
    }
    if (std::find(filetypes.begin(), filetypes.end(), type) == filetypes.end())
      throw InputError(path + ": not a " + kind + " (filetype '" + type + "')");
    const std::string version = file.text("format_version");
    if (version.substr(0, version.find('.')) != readable.substr(0, readable.find('.'))) {
      throw InputError(path + ": format version " + version +
                       " is not readable by this sovrisk (reads " + readable + ")");
    }
    return file;
  }

  operator hid_t() const { return *file_; }
  const std::string& path() const { return path_; }

  std::string text(const std::string& name) const {
    return read_string_attribute(*this, name, path_);
  }
  std::vector<std::string> texts(const std::string& name) const {
    return read_string_list_attribute(*this, name, path_);
  }
  std::uint64_t unsigned_number(const std::string& name) const {
    return read_numeric_attribute<std::uint64_t>(*this, name, H5T_NATIVE_UINT64, path_);
  }
  std::int64_t number(const std::string& name) const {
    return read_numeric_attribute<std::int64_t>(*this, name, H5T_NATIVE_INT64, path_);
  }
  double real(const std::string& name) const {
    return read_numeric_attribute<double>(*this, name, H5T_NATIVE_DOUBLE, path_);
  }

  // A dataset of exactly `shape`, converted to T.
  template <typename T>
  std::vector<T> read(const std::string& dataset, hid_t type,
                      const std::vector<std::size_t>& shape) const {
    if (dataset_shape(*this, path_, dataset) != shape)
      throw InputError(path_ + ": dataset '" + dataset + "' has the wrong shape (damaged file?)");
    return read_all<T>(*this, path_, dataset, type);
  }

 private:
  std::string path_;
  std::optional<Handle> file_;
};

}  // namespace sovrisk::hdf5
