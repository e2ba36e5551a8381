#include "stream_lanes.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sovrisk::lanes {

extern const Kernel kernel_w2;
#ifdef SOVRISK_WIDE_STREAM_KERNELS
extern const Kernel kernel_w4;
extern const Kernel kernel_w8;
#endif

const Kernel* kernel_of_width(int width) {
  switch (width) {
    case 2:
      return &kernel_w2;
#ifdef SOVRISK_WIDE_STREAM_KERNELS
    case 4:
      __builtin_cpu_init();
      return __builtin_cpu_supports("x86-64-v3") ? &kernel_w4 : nullptr;
    case 8:
      __builtin_cpu_init();
      return __builtin_cpu_supports("x86-64-v4") ? &kernel_w8 : nullptr;
#endif
    default:
      return nullptr;
  }
}

namespace {
const Kernel& choose_kernel() {
  int widest = 8;
  if (const char* asked = std::getenv("SOVRISK_STREAM_LANES")) {
    const std::string lanes = asked;
    if (lanes != "2" && lanes != "4" && lanes != "8") {
      throw std::invalid_argument("SOVRISK_STREAM_LANES=" + lanes +
                                  ": expected 2, 4 or 8 (the widest kernel to use)");
    }
    widest = std::stoi(lanes);
  }
  for (int width = widest; width > 2; width /= 2) {
    if (const Kernel* kernel = kernel_of_width(width))
      return *kernel;
  }
  return kernel_w2;
}
}  // namespace

const Kernel& fastest_kernel() {
  static const Kernel& kernel = choose_kernel();
  return kernel;
}

}  // namespace sovrisk::lanes
