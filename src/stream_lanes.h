#pragma once

// The lane-parallel kernel of stream format 2 (docs/model.md, "Random draws"):
// Philox4x32-10 and its transforms to uniforms and normals, evaluated for a run
// of consecutive paths at once. One source, stream_lanes.cpp, is compiled once
// per vector width (2, 4 and 8 doubles), each for the x86-64 level whose
// registers hold that width; the build picks the widest this CPU runs. Every
// instance gives the same bits: the transforms use +, -, *, / and sqrt only,
// each rounded once (no FMA, no libm), lane by lane.
//
// This header is included by the kernel's translation units, which are
// compiled for other CPUs than the rest: it must declare nothing inline, or
// the linker could keep an AVX-512 copy of it for the whole program.

#include <cstdint>

namespace sovrisk::lanes {

// The Philox4x32-10 counter of one block of draws, but for its path words: the
// block's index within its (month, sub-stream) and the month and sub-stream
// packed as month | kind << 24. The key is the seed's two 32-bit halves.
struct BlockCounter {
  std::uint64_t seed;
  std::uint32_t block;
  std::uint32_t month_kind;
};

// The kernel's entry points. Each computes lanes first_path .. first_path +
// count - 1 (count >= 1, any size) of one block counter, lane i at path
// first_path + i, and writes `count` values to each output.
struct Kernel {
  int width;  // doubles per vector
  // The block's two 64-bit halves as uniforms in (0, 1): (x >> 12 + 1/2) 2^-52.
  void (*uniform_pairs)(const BlockCounter& counter, std::uint64_t first_path, int count,
                        double* first, double* second);
  // Box-Muller of the block's pair of uniforms (u, v):
  // sqrt(-2 ln u) cos(2 pi v) and sqrt(-2 ln u) sin(2 pi v).
  void (*normal_pairs)(const BlockCounter& counter, std::uint64_t first_path, int count,
                       double* first, double* second);
  // The Box-Muller transform of normal_pairs, of given uniforms in (0, 1).
  void (*box_muller)(const double* u, const double* v, int count, double* first, double* second);
  // The raw Philox4x32-10 output words, for the tests against Random123.
  void (*words)(const BlockCounter& counter, std::uint64_t first_path, int count,
                std::uint32_t* out);  // out[4 * i + w]
};

// The instance of `width` lanes (2, 4 or 8), or nullptr where this build has
// none or this CPU cannot run it.
const Kernel* kernel_of_width(int width);

// The widest instance this CPU runs (the environment variable
// SOVRISK_STREAM_LANES=2|4|8 narrows it, for benchmarks; the bits are the same).
// Throws std::invalid_argument for another value of the variable.
const Kernel& fastest_kernel();

}  // namespace sovrisk::lanes
