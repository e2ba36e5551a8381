// Editing a written result file in place, to make one as another sovrisk
// version would have written it (other events, no lists, no labels).
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <string>
#include <vector>

namespace sovrisk::testing {

// An HDF5 file open for writing, closed when it goes out of scope.
class EditedFile {
 public:
  explicit EditedFile(const std::string& path)
      : file_(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) {
    EXPECT_GE(file_, 0) << path;
  }
  ~EditedFile() { H5Fclose(file_); }
  EditedFile(const EditedFile&) = delete;
  EditedFile& operator=(const EditedFile&) = delete;

  void remove_attribute(const std::string& object, const std::string& name) {
    EXPECT_GE(H5Adelete_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT), 0)
        << object << " " << name;
  }

  // Replaces (or adds) a string attribute, variable-length UTF-8 as sovrisk writes them.
  void set_text(const std::string& object, const std::string& name, const std::string& value) {
    const char* text = value.c_str();
    write(object, name, H5Screate(H5S_SCALAR), &text);
  }

  void set_texts(const std::string& object, const std::string& name,
                 const std::vector<std::string>& values) {
    std::vector<const char*> texts;
    for (const auto& value : values)
      texts.push_back(value.c_str());
    const hsize_t size = values.size();
    write(object, name, H5Screate_simple(1, &size, nullptr), texts.data());
  }

  void copy(const std::string& from, const std::string& to) {
    EXPECT_GE(H5Ocopy(file_, from.c_str(), file_, to.c_str(), H5P_DEFAULT, H5P_DEFAULT), 0)
        << from << " -> " << to;
  }

  void remove(const std::string& object) {
    EXPECT_GE(H5Ldelete(file_, object.c_str(), H5P_DEFAULT), 0) << object;
  }

 private:
  void write(const std::string& object, const std::string& name, hid_t space, const void* data) {
    if (H5Aexists_by_name(file_, object.c_str(), name.c_str(), H5P_DEFAULT) > 0)
      remove_attribute(object, name);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t attribute = H5Acreate_by_name(file_, object.c_str(), name.c_str(), type, space,
                                              H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Awrite(attribute, type, data), 0) << object << " " << name;
    H5Aclose(attribute);
    H5Tclose(type);
    H5Sclose(space);
  }

  hid_t file_;
};

}  // namespace sovrisk::testing
