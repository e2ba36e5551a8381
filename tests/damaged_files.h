// Damaging an HDF5 file where it matters, to test that readers refuse it.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <fstream>
#include <string>

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

}  // namespace sovrisk::testing
