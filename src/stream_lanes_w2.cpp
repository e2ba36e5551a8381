// The kernel of stream format 2 at 2 lanes (stream_lanes.h); CMakeLists.txt
// sets the CPU level this unit is compiled for.
#include "stream_lanes_kernel.h"

namespace sovrisk::lanes {
extern const Kernel kernel_w2;
const Kernel kernel_w2{2, uniform_pairs<2>, normal_pairs<2>, box_muller<2>, words<2>};
}  // namespace sovrisk::lanes
