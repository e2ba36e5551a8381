// The kernel of stream format 2 at 4 lanes (stream_lanes.h); CMakeLists.txt
// sets the CPU level this unit is compiled for.
#include "stream_lanes_kernel.h"

namespace sovrisk::lanes {
extern const Kernel kernel_w4;
const Kernel kernel_w4{4, uniform_pairs<4>, normal_pairs<4>, box_muller<4>, words<4>};
}  // namespace sovrisk::lanes
