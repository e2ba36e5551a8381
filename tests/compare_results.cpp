// compare_results A.h5 B.h5: exit 0 if the two result files hold the same
// datasets bit for bit (and describe the same run), else 1 with what differs.
#include <iostream>

#include "result_comparison.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: compare_results A.h5 B.h5\n";
    return 2;
  }
  try {
    const sovrisk::ResultFile a(argv[1]), b(argv[2]);
    const auto differing = sovrisk::testing::differences(a, b);
    for (const auto& name : differing)
      std::cerr << argv[1] << " and " << argv[2] << " differ in " << name << "\n";
    if (differing.empty())
      std::cout << argv[1] << " and " << argv[2] << ": the same datasets, bit for bit\n";
    return differing.empty() ? 0 : 1;
  } catch (const std::exception& error) {
    std::cerr << "compare_results: " << error.what() << "\n";
    return 2;
  }
}
