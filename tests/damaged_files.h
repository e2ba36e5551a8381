// Damaging an HDF5 file where it matters, and crafting attributes and
// datasets of the wrong kind or shape, to test that readers refuse them.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace sovrisk::testing {

// Overwrites `count` bytes in the middle of the stored (compressed,
// checksummed) first chunk of `dataset`.
inline void damage_chunk(const std::string& path, const std::string& dataset, std::size_t count) {
  haddr_t address = 0;
  hsize_t size = 0;
  {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
    const hid_t space = H5Dget_space(set);
    hsize_t offset[3];
    unsigned filter_mask = 0;
    const herr_t found = H5Dget_chunk_info(set, space, 0, offset, &filter_mask, &address, &size);
    H5Sclose(space);
    H5Dclose(set);
    H5Fclose(file);
    ASSERT_GE(found, 0) << path << ": " << dataset << " has no chunk";
  }
  ASSERT_GT(size, count);
  std::fstream out(path, std::ios::in | std::ios::out | std::ios::binary);
  out.seekp(static_cast<std::streamoff>(address + size / 2));
  for (std::size_t i = 0; i < count; ++i)
    out.put(static_cast<char>(0x5a));
}

// A space of `dims` (a scalar if empty).
inline hid_t space_of(const std::vector<hsize_t>& dims) {
  return dims.empty() ? H5Screate(H5S_SCALAR)
                      : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
}

// Variable-length strings, as sovrisk and h5py write str; fixed-length ones of `size` bytes.
inline hid_t string_type(std::size_t size = H5T_VARIABLE) {
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, size);
  return type;
}

// Replaces the root attribute `name` of `path` (or adds it) by one of `type`
// and `dims` holding `data` (in the file's type); `dims` empty: a scalar.
inline void replace_root_attribute(const std::string& path, const std::string& name, hid_t type,
                                   const std::vector<hsize_t>& dims, const void* data) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0) << path;
  if (H5Aexists(file, name.c_str()) > 0)
    H5Adelete(file, name.c_str());
  const hid_t space = space_of(dims);
  const hid_t attribute = H5Acreate2(file, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  const herr_t written = H5Awrite(attribute, type, data);
  H5Aclose(attribute);
  H5Sclose(space);
  H5Fclose(file);
  ASSERT_GE(written, 0) << path << ": " << name;
}

inline void delete_root_attribute(const std::string& path, const std::string& name) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0) << path;
  const herr_t deleted = H5Adelete(file, name.c_str());
  H5Fclose(file);
  ASSERT_GE(deleted, 0) << path << ": " << name;
}

// A root attribute of `strings` (variable-length), as a list, or a scalar if `dims` is empty.
inline void replace_root_strings(const std::string& path, const std::string& name,
                                 const std::vector<std::string>& strings,
                                 const std::vector<hsize_t>& dims) {
  std::vector<const char*> texts;
  for (const auto& text : strings)
    texts.push_back(text.c_str());
  const hid_t type = string_type();
  replace_root_attribute(path, name, type, dims, texts.data());
  H5Tclose(type);
}

// Replaces dataset `dataset` of `path` by a contiguous one of `type` and `dims`
// holding `data`; with `checksummed`, by a chunked one with a valid Fletcher-32
// checksum, as a tool that knows the format would rewrite it.
inline void replace_dataset(const std::string& path, const std::string& dataset, hid_t type,
                            const std::vector<hsize_t>& dims, const void* data,
                            bool checksummed = false) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0) << path;
  H5Ldelete(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = space_of(dims);
  const hid_t properties = H5Pcreate(H5P_DATASET_CREATE);
  if (checksummed) {
    std::vector<hsize_t> chunk = dims;
    for (auto& size : chunk)
      size = std::max<hsize_t>(size, 1);
    H5Pset_chunk(properties, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_fletcher32(properties);
  }
  const hid_t set =
      H5Dcreate2(file, dataset.c_str(), type, space, H5P_DEFAULT, properties, H5P_DEFAULT);
  const herr_t written = H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(set);
  H5Pclose(properties);
  H5Sclose(space);
  H5Fclose(file);
  ASSERT_GE(written, 0) << path << ": " << dataset;
}

// The shape of a dataset of `path`, to craft one of another shape or kind.
inline std::vector<hsize_t> dataset_dims(const std::string& path, const std::string& dataset) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t set = H5Dopen2(file, dataset.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(set);
  std::vector<hsize_t> dims(
      static_cast<std::size_t>(std::max(H5Sget_simple_extent_ndims(space), 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  H5Dclose(set);
  H5Fclose(file);
  return dims;
}

}  // namespace sovrisk::testing
