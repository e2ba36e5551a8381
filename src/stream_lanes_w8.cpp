// The kernel of stream format 2 at 8 lanes (stream_lanes.h); CMakeLists.txt
// sets the CPU level this unit is compiled for.
#include "stream_lanes_kernel.h"

namespace sovrisk::lanes {
extern const Kernel kernel_w8;
const Kernel kernel_w8{8, uniform_pairs<8>, normal_pairs<8>, box_muller<8>, words<8>};
}  // namespace sovrisk::lanes
