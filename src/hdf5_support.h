// Generic HDF5 plumbing for sovrisk's files (results_io.cpp, partial_io.cpp,
// partial_result.cpp): owned identifiers, attributes, datasets, reading back
// with every type and shape checked, and writing a file atomically. Nothing
// here knows the model or the engine; the root attributes that every sovrisk
// file shares are written by run_attributes.h. Private to src/.
#pragma once

#include <hdf5.h>
#include <hdf5_hl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "sovrisk/config.h"

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

// HDF5's printing of errors off while it lives, and back as it was after,
// also when an exception leaves the scope.
class QuietErrors {
 public:
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t function_ = nullptr;
  void* data_ = nullptr;
};

// What `call` (one HDF5 function) returns, with HDF5's printing of errors off
// while it runs: for the calls whose failure is an answer, not a fault (a
// missing attribute, a file that is not HDF5, a chunk whose checksum fails),
// which the caller turns into one clear message. Every other HDF5 error still
// prints HDF5's error stack, which is what tells a fault apart.
template <typename Call>
auto quietly(Call&& call) {
  const QuietErrors quiet;
  return call();
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
  if (!values.empty())  // an empty list has nothing to write (and H5Awrite refuses no buffer)
    check(H5Awrite(attribute, type, texts.data()), "write attribute " + name);
}

template <typename T>
void write_attribute(hid_t object, const std::string& name, T value, hid_t type) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "make a scalar space");
  Handle attribute(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                   H5Aclose, "create attribute " + name);
  check(H5Awrite(attribute, type, &value), "write attribute " + name);
}

// Makes `set` an HDF5 dimension scale (H5DS) named `name`: a coordinate, which
// netCDF readers (h5netcdf, hence xarray; netCDF-C) take as the dimension `name`
// with the values of `set`.
inline void make_dimension_scale(hid_t set, const std::string& name) {
  check(H5DSset_scale(set, name.c_str()), "make " + name + " a dimension scale");
}

// Attaches scales[d] to dimension d of `set` (`name` for messages), so that a
// netCDF reader names its dimensions instead of inventing `phony_dim_*`.
inline void attach_dimension_scales(hid_t set, const std::vector<hid_t>& scales,
                                    const std::string& name) {
  for (std::size_t d = 0; d < scales.size(); ++d) {
    check(H5DSattach_scale(set, scales[d], static_cast<unsigned>(d)),
          "attach dimension " + std::to_string(d) + " of " + name + " to its scale");
  }
}

class Writer {
 public:
  // A directory that does not exist or cannot be written is the user's to fix:
  // the message says which file, without HDF5's stack.
  explicit Writer(const std::string& path)
      : file_(quietly(
                  [&] { return H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }),
              H5Fclose, "create " + path) {}

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
    // HDF5 filters only the heap references of variable-length strings, not
    // the text, so those stay contiguous and unchecksummed.
    if (H5Tis_variable_str(file_type) > 0) {
      Handle set = write_data(name, memory_type, file_type, data, dims, H5P_DEFAULT);
      write_attribute(set, "units", units);
      write_attribute(set, "description", description);
      return set;
    }
    Handle properties = checksummed_properties(name, dims, 0);
    Handle set = write_data(name, memory_type, file_type, data, dims, properties);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
    return set;
  }

  // One value per path: compressed, since it is long and mostly -1.
  Handle compressed_integers(const std::string& name, const std::vector<std::int32_t>& values,
                             const std::string& units, const std::string& description) {
    Handle properties = checksummed_properties(name, {values.size()}, 4);
    Handle set = write_data(name, H5T_NATIVE_INT32, H5T_STD_I32LE, values.data(), {values.size()},
                            properties);
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
    return set;
  }

  // The integers 0, 1, ..., count - 1 (int64), checksummed and compressed like
  // compressed_integers. Written a chunk at a time, so that an index as long as
  // the paths of a large run never sits whole in memory; shuffled before
  // compression, a chunk takes a few hundred bytes.
  Handle index(const std::string& name, hsize_t count, const std::string& units,
               const std::string& description) {
    Handle properties = checksummed_properties(name, {count}, 4, true);
    Handle space(H5Screate_simple(1, &count, nullptr), H5Sclose, "make the space of " + name);
    Handle set(
        H5Dcreate2(file_, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, properties, H5P_DEFAULT),
        H5Dclose, "create dataset " + name);
    hsize_t chunk = 0;
    if (H5Pget_chunk(properties, 1, &chunk) < 0)
      throw std::runtime_error("HDF5: cannot read the chunk size of " + name);
    std::vector<std::int64_t> values;
    for (hsize_t first = 0; first < count; first += chunk) {
      const hsize_t size = std::min(chunk, count - first);
      values.resize(size);
      for (hsize_t i = 0; i < size; ++i)
        values[i] = static_cast<std::int64_t>(first + i);
      Handle slab(H5Dget_space(set), H5Sclose, "select in " + name);
      check(H5Sselect_hyperslab(slab, H5S_SELECT_SET, &first, nullptr, &size, nullptr),
            "select in " + name);
      Handle memory(H5Screate_simple(1, &size, nullptr), H5Sclose, "make a space for " + name);
      check(H5Dwrite(set, H5T_NATIVE_INT64, memory, slab, H5P_DEFAULT, values.data()),
            "write " + name);
    }
    write_attribute(set, "units", units);
    write_attribute(set, "description", description);
    return set;
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
    Handle properties = checksummed_properties(name, dims, 1);
    Handle set = write_data(name, memory_type, file_type, data, dims, properties);
    write_attribute(set, "description", description);
  }

  // Checksummed chunks as checksummed() writes them, compressed at `level`
  // (0: not compressed), with `shuffle` the bytes of the values regrouped
  // before compression (which packs slowly varying integers far tighter).
  static Handle checksummed_properties(const std::string& name, const std::vector<hsize_t>& dims,
                                       unsigned level, bool shuffle = false) {
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
    if (shuffle)
      check(H5Pset_shuffle(properties), "shuffle " + name);
    if (level > 0)
      check(H5Pset_deflate(properties, level), "compress " + name);
    return properties;
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
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  // Any call of a write can fail for want of room (a full disk, a quota): an
  // answer, which the failing call's exception names in one line, rather than
  // a fault that HDF5's error stack would help to find.
  const QuietErrors quiet;
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

// Reading. Whatever is missing or malformed in a file throws InputError with
// `where` (the file, and the object in it) in front of the message. Nothing
// is read into memory before its type class and its number of values have
// been checked against what the memory holds, so a crafted file cannot make a
// read write past a buffer.

inline std::string type_class_text(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point numbers";
    case H5T_STRING:
      return "strings";
    case H5T_COMPOUND:
      return "compound values";
    case H5T_ARRAY:
      return "arrays";
    case H5T_ENUM:
      return "enumerated values";
    default:
      return "values of another kind";
  }
}

// Whether values stored as `stored` read into memory as `wanted` without
// losing what they mean: numbers into floating point from either class,
// integers only from integers, strings from variable-length strings (the kind
// these files write and h5py writes for str).
inline bool reads_as(hid_t stored, hid_t wanted) {
  const H5T_class_t from = H5Tget_class(stored), to = H5Tget_class(wanted);
  switch (to) {
    case H5T_FLOAT:
      return from == H5T_FLOAT || from == H5T_INTEGER;
    case H5T_INTEGER:
      return from == H5T_INTEGER;
    case H5T_STRING:
      return from == H5T_STRING && H5Tis_variable_str(stored) > 0;
    default:
      return false;
  }
}

inline std::string type_text(hid_t type) {
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) <= 0)
    return "fixed-length strings";
  return type_class_text(H5Tget_class(type));
}

// The attribute `name` of `object`; InputError if it is missing.
inline Handle open_attribute(hid_t object, const std::string& name, const std::string& where) {
  const hid_t id = quietly([&] { return H5Aopen(object, name.c_str(), H5P_DEFAULT); });
  if (id < 0)
    throw InputError(where + ": attribute '" + name + "' is missing");
  return Handle(id, H5Aclose, "open attribute " + name);
}

inline hssize_t attribute_values(hid_t attribute, const std::string& name) {
  Handle space(H5Aget_space(attribute), H5Sclose, "read the space of " + name);
  return H5Sget_simple_extent_npoints(space);
}

// Refuses, naming `expected` ("one string"), an attribute that is not a single
// value or not of the class `fits` accepts.
template <typename Fits>
void check_single_value(hid_t attribute, hid_t stored, const std::string& name,
                        const std::string& where, const std::string& expected, Fits&& fits) {
  const hssize_t values = attribute_values(attribute, name);
  if (values != 1) {
    throw InputError(where + ": attribute '" + name + "' holds " + std::to_string(values) +
                     " values; expected " + expected);
  }
  if (!fits(stored)) {
    throw InputError(where + ": attribute '" + name + "' holds " + type_text(stored) +
                     "; expected " + expected);
  }
}

inline std::string read_string_attribute(hid_t object, const std::string& name,
                                         const std::string& where) {
  Handle attribute = open_attribute(object, name, where);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  check_single_value(attribute, stored, name, where, "one string",
                     [](hid_t type) { return H5Tget_class(type) == H5T_STRING; });
  if (H5Tis_variable_str(stored) > 0) {
    Handle type = string_type();
    char* text = nullptr;
    check(H5Aread(attribute, type, &text), "read attribute " + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  // A fixed-length string (h5py writes numpy bytes so): exactly its size.
  std::string value(H5Tget_size(stored), '\0');
  check(H5Aread(attribute, stored, value.data()), "read attribute " + name);
  return value.substr(0, value.find('\0'));
}

// A one-dimensional attribute of variable-length strings, as write_attribute writes a list.
inline std::vector<std::string> read_string_list_attribute(hid_t object, const std::string& name,
                                                           const std::string& where) {
  Handle attribute = open_attribute(object, name, where);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  Handle space(H5Aget_space(attribute), H5Sclose, "read the space of " + name);
  Handle type = string_type();
  if (!reads_as(stored, type) || H5Sget_simple_extent_ndims(space) != 1) {
    throw InputError(where + ": attribute '" + name +
                     "' is not a list of (variable-length) strings");
  }
  std::vector<char*> texts(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  if (!texts.empty())
    check(H5Aread(attribute, type, texts.data()), "read attribute " + name);
  std::vector<std::string> values;
  for (char* text : texts) {
    values.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return values;
}

// A single number, converted to T (an integer type or double).
template <typename T>
T read_numeric_attribute(hid_t object, const std::string& name, hid_t type,
                         const std::string& where) {
  static_assert(std::is_arithmetic_v<T>);
  Handle attribute = open_attribute(object, name, where);
  Handle stored(H5Aget_type(attribute), H5Tclose, "read the type of " + name);
  const std::string expected = std::is_floating_point_v<T> ? "one number"
                               : std::is_signed_v<T>       ? "one integer"
                                                           : "one non-negative integer";
  check_single_value(attribute, stored, name, where, expected,
                     [&](hid_t stored_type) { return reads_as(stored_type, type); });
  if constexpr (std::is_unsigned_v<T>) {
    // HDF5 would clip a negative value to 0 on the way; say what it is instead.
    if (H5Tget_sign(stored) == H5T_SGN_2) {
      std::int64_t value = 0;
      check(H5Aread(attribute, H5T_NATIVE_INT64, &value), "read attribute " + name);
      if (value < 0) {
        throw InputError(where + ": attribute '" + name + "' is " + std::to_string(value) +
                         "; expected " + expected);
      }
      return static_cast<T>(value);
    }
  }
  T value{};
  check(H5Aread(attribute, type, &value), "read attribute " + name);
  return value;
}

inline Handle open_dataset(hid_t file, const std::string& path, const std::string& dataset) {
  const hid_t id = quietly([&] { return H5Dopen2(file, dataset.c_str(), H5P_DEFAULT); });
  if (id < 0)
    throw InputError(path + ": dataset '" + dataset + "' is missing");
  return Handle(id, H5Dclose, "open " + dataset);
}

inline std::vector<std::size_t> dataset_shape(hid_t set, const std::string& dataset) {
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.end()};
}

inline std::vector<std::size_t> dataset_shape(hid_t file, const std::string& path,
                                              const std::string& dataset) {
  return dataset_shape(open_dataset(file, path, dataset), dataset);
}

inline std::string shape_text(const std::vector<std::size_t>& shape) {
  if (shape.empty())
    return "a single value";
  std::string text;
  for (const auto size : shape)
    text += (text.empty() ? "" : " x ") + std::to_string(size);
  return text;
}

// What a reader demands of how a dataset is stored beyond what reads_as
// accepts: formats whose writer checksums every dataset require the
// Fletcher-32 filter (a dataset rewritten without it would escape the check of
// damage; variable-length strings, whose text no filter covers, are
// exempt), and formats read back into exact sums require the type class, size
// and sign of the memory type, so that no conversion can clip or round.
struct Storage {
  bool checksummed = false;
  bool exact_type = false;
};

inline bool has_fletcher32(hid_t set, const std::string& dataset) {
  Handle properties(H5Dget_create_plist(set), H5Pclose, "read the properties of " + dataset);
  const int filters = H5Pget_nfilters(properties);
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0;
    std::size_t values = 0;
    if (H5Pget_filter2(properties, static_cast<unsigned>(i), &flags, &values, nullptr, 0, nullptr,
                       nullptr) == H5Z_FILTER_FLETCHER32) {
      return true;
    }
  }
  return false;
}

inline std::string sized_type_text(hid_t type) {
  std::string sign;
  if (H5Tget_class(type) == H5T_INTEGER)
    sign = H5Tget_sign(type) == H5T_SGN_NONE ? "unsigned " : "signed ";
  return std::to_string(8 * H5Tget_size(type)) + "-bit " + sign + type_text(type);
}

inline void check_storage(hid_t set, hid_t stored, hid_t type, const std::string& path,
                          const std::string& dataset, Storage storage) {
  const bool same_sign =
      H5Tget_class(type) != H5T_INTEGER || H5Tget_sign(stored) == H5Tget_sign(type);
  if (storage.exact_type && (H5Tget_class(stored) != H5Tget_class(type) ||
                             H5Tget_size(stored) != H5Tget_size(type) || !same_sign)) {
    throw InputError(path + ": dataset '" + dataset + "' holds " + sized_type_text(stored) +
                     "; expected " + sized_type_text(type));
  }
  if (storage.checksummed && H5Tis_variable_str(stored) <= 0 && !has_fletcher32(set, dataset)) {
    throw InputError(path + ": dataset '" + dataset +
                     "' has no Fletcher-32 checksum; expected a checksummed dataset (rewritten "
                     "by another tool?)");
  }
}

// The whole dataset, converted to `type`, if its values read as that type
// (reads_as) and, when `shape` is given, it has exactly that shape. A read
// that fails (a chunk whose checksum does not match, data cut off) is an
// InputError: the file is damaged.
template <typename T>
std::vector<T> read_all(hid_t file, const std::string& path, const std::string& dataset, hid_t type,
                        const std::optional<std::vector<std::size_t>>& shape = {},
                        Storage storage = {}) {
  Handle set = open_dataset(file, path, dataset);
  Handle stored(H5Dget_type(set), H5Tclose, "read the type of " + dataset);
  if (!reads_as(stored, type)) {
    throw InputError(path + ": dataset '" + dataset + "' holds " + type_text(stored) +
                     "; expected " + type_text(type));
  }
  const std::vector<std::size_t> found = dataset_shape(set, dataset);
  if (shape && found != *shape) {
    throw InputError(path + ": dataset '" + dataset + "' has shape " + shape_text(found) +
                     "; expected " + shape_text(*shape) + " (damaged file?)");
  }
  check_storage(set, stored, type, path, dataset, storage);
  Handle space(H5Dget_space(set), H5Sclose, "read the space of " + dataset);
  std::vector<T> values(H5Sget_simple_extent_npoints(space));
  if (values.empty())
    return values;
  const herr_t status =
      quietly([&] { return H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()); });
  if (status < 0) {
    throw InputError(path + ": damaged file: dataset '" + dataset +
                     "' does not read back (checksum or data cut off)");
  }
  return values;
}

// An HDF5 file open for reading, whose root attributes `filetype` and
// `format_version` say what it is. Refuses, with InputError naming the file,
// one that cannot be opened, is not HDF5, or is damaged; open() also refuses
// another kind of file or a major format version this build cannot read.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    if (access(path.c_str(), R_OK) != 0)
      throw InputError(path + ": cannot open the file");
    const hid_t id = quietly([&] { return H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT); });
    if (id < 0)
      throw InputError(path + ": not an HDF5 file, or a damaged one (truncated?)");
    file_.emplace(id, H5Fclose, "open " + path);
  }

  // The file if its `filetype` is one of `filetypes` and its format_version has
  // the major version of `readable`; `kind` names what was expected.
  static InputFile open(const std::string& path, const std::vector<std::string>& filetypes,
                        const std::string& kind, const std::string& readable) {
    InputFile file(path);
    if (quietly([&] { return H5Aexists(file, "filetype"); }) <= 0)
      throw InputError(path + ": not a " + kind + " (no 'filetype' attribute)");
    const std::string type = file.text("filetype");
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

  bool has_attribute(const std::string& name) const {
    return quietly([&] { return H5Aexists(*this, name.c_str()); }) > 0;
  }
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

  // A dataset of exactly `shape`, converted to T, stored as `storage` demands.
  template <typename T>
  std::vector<T> read(const std::string& dataset, hid_t type, const std::vector<std::size_t>& shape,
                      Storage storage = {}) const {
    return read_all<T>(*this, path_, dataset, type, shape, storage);
  }

 private:
  std::string path_;
  std::optional<Handle> file_;
};

// A dataset's values, refused unless each is a number in [low, high].
inline void check_range(const std::string& path, const std::string& dataset,
                        const std::vector<double>& values, double low, double high) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] >= low && values[i] <= high)) {
      char bounds[64];
      std::snprintf(bounds, sizeof bounds, "[%g, %g]", low, high);
      throw InputError(path + ": dataset '" + dataset + "' holds " + std::to_string(values[i]) +
                       " at index " + std::to_string(i) + "; expected a number in " + bounds);
    }
  }
}

// A group the layout requires; InputError naming it if it is missing.
inline Handle open_group(const InputFile& in, const std::string& group) {
  const hid_t id = quietly([&] { return H5Gopen2(in, group.c_str(), H5P_DEFAULT); });
  if (id < 0)
    throw InputError(in.path() + ": group '" + group + "' is missing");
  return Handle(id, H5Gclose, "open " + group);
}

// Writes `texts` as dataset `name` of variable-length strings of shape `dims`
// (row-major), and returns it open.
inline Handle write_strings(Writer& out, const std::string& name,
                            const std::vector<std::string>& texts, std::vector<hsize_t> dims,
                            const std::string& description) {
  std::vector<const char*> pointers;
  for (const auto& text : texts)
    pointers.push_back(text.c_str());
  Handle type = string_type();
  return out.dataset(name, type, type, pointers.data(), std::move(dims), "", description);
}

// A dataset of variable-length strings of exactly `shape`, row-major.
inline std::vector<std::string> read_strings(const InputFile& in, const std::string& dataset,
                                             const std::vector<std::size_t>& shape) {
  Handle type = string_type();
  auto pointers = in.read<char*>(dataset, type, shape);
  std::vector<std::string> texts;
  for (char* text : pointers) {
    texts.emplace_back(text ? text : "");
    H5free_memory(text);
  }
  return texts;
}

}  // namespace sovrisk::hdf5
