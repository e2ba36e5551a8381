// Bit-for-bit comparison of two result files: every dataset of the layout
// (docs/output.md) and the root attributes that describe the run. Used by the
// tests and by tests/compare_results.cpp, the MPI tests' checker.
#pragma once

#include <cstring>
#include <string>
#include <vector>

#include "sovrisk/results_io.h"

namespace sovrisk::testing {

// The datasets of a result file, for the events and variables it lists; the
// per-path ones only if `a` has them.
inline std::vector<std::string> result_datasets(const ResultFile& a) {
  std::vector<std::string> names = {"/time/month", "/time/year"};
  for (const std::string& event : a.events()) {
    for (const char* name :
         {"cumulative_probability", "stderr", "ci95_low", "ci95_high", "month_counts"}) {
      names.push_back("/" + event + "/" + name);
    }
    const std::string per_path = "/per_path/" + event + "_month";
    if (a.has(per_path))
      names.push_back(per_path);
  }
  for (const std::string& variable : a.variables()) {
    for (const char* group : {"/fan/", "/fan_error_bound/", "/mean/", "/sample_paths/"})
      names.push_back(group + variable);
  }
  return names;
}

// What differs between `a` and `b`, by name (a dataset, or "@attribute"); empty if nothing.
inline std::vector<std::string> differences(const ResultFile& a, const ResultFile& b) {
  std::vector<std::string> differing;
  for (const char* attribute :
       {"filetype", "format_version", "start", "scenario", "config_yaml", "config_hash"}) {
    if (a.string_attribute(attribute) != b.string_attribute(attribute))
      differing.push_back(std::string("@") + attribute);
  }
  for (const char* attribute : {"seed", "paths", "months", "sample_paths", "block_size"}) {
    if (a.unsigned_attribute(attribute) != b.unsigned_attribute(attribute)) {
      differing.push_back(std::string("@") + attribute);
    }
  }
  if (a.variables() != b.variables())
    differing.push_back("@variables");
  if (a.events() != b.events())
    differing.push_back("@events");
  for (const auto& name : result_datasets(a)) {
    if (!b.has(name) || a.shape(name) != b.shape(name)) {
      differing.push_back(name);
    } else if (name == "/time/month") {
      if (a.strings(name) != b.strings(name))
        differing.push_back(name);
    } else {
      // Compared as bytes: bit for bit, -0.0 and NaN included.
      const auto x = a.doubles(name), y = b.doubles(name);
      if (std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) != 0)
        differing.push_back(name);
    }
  }
  return differing;
}

}  // namespace sovrisk::testing
