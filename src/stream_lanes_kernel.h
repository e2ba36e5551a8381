#pragma once

// The kernel of stream_lanes.h, as templates over the vector width W, for the
// translation units stream_lanes_w2/w4/w8.cpp only. Everything here has
// internal linkage, so that each unit keeps the code compiled for its own CPU.
//
// The arithmetic is written in GCC's vector extensions, which lower to SSE2,
// AVX2 or AVX-512 registers with the same IEEE operations, and to the same
// sequence of them at every width: each lane computes alone, so a lane's bits
// do not depend on W or on its neighbours. Compiled with -ffp-contract=off and
// -fno-math-errno (CMakeLists.txt); sqrt is correctly rounded everywhere.

#include <cstdint>

#include "stream_lanes.h"

namespace sovrisk::lanes {
namespace {

template <int W>
struct Vectors {
  typedef double Real __attribute__((vector_size(8 * W)));
  typedef std::uint64_t Word __attribute__((vector_size(8 * W)));
  typedef std::int64_t Mask __attribute__((vector_size(8 * W)));
};

template <typename V>
inline V splat(double x) {
  return x - V{};
}
template <typename V>
inline V splat_word(std::uint64_t x) {
  return x - V{};
}

// Philox4x32-10 (Salmon et al. 2011; Random123's philox4x32 bit for bit) of
// counters (block, month_kind, path low, path high) for paths first_path ..
// first_path + count - 1, structure of arrays so that GCC vectorises the
// rounds: the 32x32 -> 64 products become packed unsigned multiplies.
inline void philox_rounds(const BlockCounter& counter, std::uint64_t first_path, int count,
                          std::uint32_t* __restrict o0, std::uint32_t* __restrict o1,
                          std::uint32_t* __restrict o2, std::uint32_t* __restrict o3) {
  constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
  const auto key0 = static_cast<std::uint32_t>(counter.seed);
  const auto key1 = static_cast<std::uint32_t>(counter.seed >> 32);
  for (int i = 0; i < count; ++i) {
    const std::uint64_t path = first_path + static_cast<std::uint64_t>(i);
    std::uint32_t x0 = counter.block, x1 = counter.month_kind;
    std::uint32_t x2 = static_cast<std::uint32_t>(path),
                  x3 = static_cast<std::uint32_t>(path >> 32);
    std::uint32_t k0 = key0, k1 = key1;
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{kM0} * x0, p1 = std::uint64_t{kM1} * x2;
      const std::uint32_t y0 = static_cast<std::uint32_t>(p1 >> 32) ^ x1 ^ k0;
      const std::uint32_t y1 = static_cast<std::uint32_t>(p1);
      const std::uint32_t y2 = static_cast<std::uint32_t>(p0 >> 32) ^ x3 ^ k1;
      const std::uint32_t y3 = static_cast<std::uint32_t>(p0);
      x0 = y0;
      x1 = y1;
      x2 = y2;
      x3 = y3;
      k0 += kW0;
      k1 += kW1;
    }
    o0[i] = x0;
    o1[i] = x1;
    o2[i] = x2;
    o3[i] = x3;
  }
}

// Lanes per pass: the counters of a pass stay in the L1 cache.
constexpr int kPass = 64;

// The Philox output of a pass as its two 64-bit halves (x0 x1) and (x2 x3),
// for count lanes rounded up to a multiple of 8 (the widest W), so that the
// transforms read whole vectors; the lanes past count are real paths' draws,
// computed and dropped.
struct PassWords {
  alignas(64) std::uint64_t first[kPass];
  alignas(64) std::uint64_t second[kPass];
};

inline int rounded_up(int count) {
  return (count + 7) / 8 * 8;
}

inline void pass_words(const BlockCounter& counter, std::uint64_t first_path, int count,
                       PassWords& out) {
  alignas(64) std::uint32_t x0[kPass], x1[kPass], x2[kPass], x3[kPass];
  const int lanes = rounded_up(count);
  philox_rounds(counter, first_path, lanes, x0, x1, x2, x3);
  for (int i = 0; i < lanes; ++i) {
    out.first[i] = (std::uint64_t{x0[i]} << 32) | x1[i];
    out.second[i] = (std::uint64_t{x2[i]} << 32) | x3[i];
  }
}

// (x >> 12 + 1/2) 2^-52 in (0, 1), exactly: the 52 bits are placed in 2^52's
// mantissa and 2^52 subtracted, so no integer conversion (which SSE2 and AVX2
// lack for 64 bits) is needed, and every step is exact.
template <int W>
inline typename Vectors<W>::Real uniform(typename Vectors<W>::Word word) {
  using Real = typename Vectors<W>::Real;
  using Word = typename Vectors<W>::Word;
  const Word mantissa = word >> 12;
  return ((Real)(splat_word<Word>(0x4330000000000000ull) | mantissa) - splat<Real>(0x1p52) +
          splat<Real>(0.5)) *
         splat<Real>(0x1p-52);
}

// ln x for normal positive x: fdlibm's e_log.c (Sun Microsystems, 1993) on
// the vector, its k and the reduction to [sqrt(2)/2, sqrt(2)) by bit masks;
// error below 1 ulp.
template <int W>
inline typename Vectors<W>::Real log(typename Vectors<W>::Real x) {
  using Real = typename Vectors<W>::Real;
  using Word = typename Vectors<W>::Word;
  using Mask = typename Vectors<W>::Mask;
  const Real ln2_hi = splat<Real>(6.93147180369123816490e-01);
  const Real ln2_lo = splat<Real>(1.90821492927058770002e-10);
  const Word bits = (Word)x;
  const Word mantissa = bits & splat_word<Word>(0x000FFFFFFFFFFFFFull);
  // Mantissas above sqrt(2)'s are halved (exponent of 1/2), k raised by one.
  const Mask above = (Mask)(mantissa > splat_word<Word>(0x6A09E667F3BCCull));
  const Real m = (Real)(mantissa | (above ? splat_word<Word>(0x3FE0000000000000ull)
                                          : splat_word<Word>(0x3FF0000000000000ull)));
  const Real k =
      ((Real)(splat_word<Word>(0x4330000000000000ull) | (bits >> 52)) - splat<Real>(0x1p52)) -
      splat<Real>(1023.0) + (above ? splat<Real>(1.0) : splat<Real>(0.0));
  const Real f = m - splat<Real>(1.0);
  const Real s = f / (splat<Real>(2.0) + f);
  const Real z = s * s, w = z * z;
  const Real t1 =
      w * (splat<Real>(3.999999999940941908e-01) +
           w * (splat<Real>(2.222219843214978396e-01) + w * splat<Real>(1.531383769920937332e-01)));
  const Real t2 = z * (splat<Real>(6.666666666666735130e-01) +
                       w * (splat<Real>(2.857142874366239149e-01) +
                            w * (splat<Real>(1.818357216161805012e-01) +
                                 w * splat<Real>(1.479819860511658591e-01))));
  const Real r = t2 + t1;
  const Real half_f_squared = splat<Real>(0.5) * f * f;
  return k * ln2_hi - ((half_f_squared - (s * (half_f_squared + r) + k * ln2_lo)) - f);
}

// sin and cos of 2 pi v for v in [0, 1]: v is reduced to the nearest quarter
// turn q (exactly, by the 2^52 rounding trick) and the remainder, at most an
// eighth of a turn, goes through fdlibm's k_sin.c and k_cos.c polynomials.
template <int W>
inline void sin_cos_of_turns(typename Vectors<W>::Real v, typename Vectors<W>::Real& sine,
                             typename Vectors<W>::Real& cosine) {
  using Real = typename Vectors<W>::Real;
  using Mask = typename Vectors<W>::Mask;
  const Real q = (v * splat<Real>(4.0) + splat<Real>(0x1p52)) - splat<Real>(0x1p52);
  const Real a = (v - q * splat<Real>(0.25)) * splat<Real>(6.28318530717958647692);
  const Real z = a * a;
  const Real sin_r = splat<Real>(8.33333333332248946124e-03) +
                     z * (splat<Real>(-1.98412698298579493134e-04) +
                          z * (splat<Real>(2.75573137070700676789e-06) +
                               z * (splat<Real>(-2.50507602534068634195e-08) +
                                    z * splat<Real>(1.58969099521155010221e-10))));
  const Real sin_a = a + (z * a) * (splat<Real>(-1.66666666666666324348e-01) + z * sin_r);
  const Real cos_r = z * (splat<Real>(4.16666666666666019037e-02) +
                          z * (splat<Real>(-1.38888888888741095749e-03) +
                               z * (splat<Real>(2.48015872894767294178e-05) +
                                    z * (splat<Real>(-2.75573143513906633035e-07) +
                                         z * (splat<Real>(2.08757232129817482790e-09) +
                                              z * splat<Real>(-1.13596475577881948265e-11))))));
  const Real half_z = splat<Real>(0.5) * z, w = splat<Real>(1.0) - half_z;
  const Real cos_a = w + (((splat<Real>(1.0) - w) - half_z) + (z * cos_r));
  // A quarter turn q swaps sine and cosine and flips signs.
  const Mask odd = (q == splat<Real>(1.0)) | (q == splat<Real>(3.0));
  const Real s = odd ? cos_a : sin_a, c = odd ? sin_a : cos_a;
  sine = ((q == splat<Real>(2.0)) | (q == splat<Real>(3.0))) ? -s : s;
  cosine = ((q == splat<Real>(1.0)) | (q == splat<Real>(2.0))) ? -c : c;
}

template <int W>
inline typename Vectors<W>::Real square_root(typename Vectors<W>::Real x) {
  typename Vectors<W>::Real root;
  for (int j = 0; j < W; ++j)
    root[j] = __builtin_sqrt(x[j]);
  return root;
}

template <typename Vector>
inline Vector load(const void* from) {
  Vector v;
  __builtin_memcpy(&v, from, sizeof v);
  return v;
}
template <typename Vector>
inline void store(void* to, const Vector& v) {
  __builtin_memcpy(to, &v, sizeof v);
}

// Runs `transform(words, pass_first, pass_second)` over passes of kPass lanes
// and copies the `count` wanted values out.
template <typename Transform>
inline void in_passes(const BlockCounter& counter, std::uint64_t first_path, int count,
                      double* first, double* second, Transform&& transform) {
  PassWords words;
  alignas(64) double pass_first[kPass], pass_second[kPass];
  for (int done = 0; done < count; done += kPass) {
    const int lanes = count - done < kPass ? count - done : kPass;
    pass_words(counter, first_path + static_cast<std::uint64_t>(done), lanes, words);
    transform(words, rounded_up(lanes), pass_first, pass_second);
    __builtin_memcpy(first + done, pass_first, sizeof(double) * lanes);
    __builtin_memcpy(second + done, pass_second, sizeof(double) * lanes);
  }
}

template <int W>
void uniform_pairs(const BlockCounter& counter, std::uint64_t first_path, int count, double* first,
                   double* second) {
  using V = Vectors<W>;
  in_passes(counter, first_path, count, first, second,
            [](const PassWords& words, int lanes, double* u0, double* u1) {
              for (int i = 0; i < lanes; i += W) {
                store(u0 + i, uniform<W>(load<typename V::Word>(words.first + i)));
                store(u1 + i, uniform<W>(load<typename V::Word>(words.second + i)));
              }
            });
}

template <int W>
inline void box_muller_vector(typename Vectors<W>::Real u, typename Vectors<W>::Real v,
                              double* first, double* second) {
  using Real = typename Vectors<W>::Real;
  const Real radius = square_root<W>(splat<Real>(-2.0) * log<W>(u));
  Real sine, cosine;
  sin_cos_of_turns<W>(v, sine, cosine);
  store(first, radius * cosine);
  store(second, radius * sine);
}

template <int W>
void normal_pairs(const BlockCounter& counter, std::uint64_t first_path, int count, double* first,
                  double* second) {
  using V = Vectors<W>;
  in_passes(counter, first_path, count, first, second,
            [](const PassWords& words, int lanes, double* z0, double* z1) {
              for (int i = 0; i < lanes; i += W) {
                box_muller_vector<W>(uniform<W>(load<typename V::Word>(words.first + i)),
                                     uniform<W>(load<typename V::Word>(words.second + i)), z0 + i,
                                     z1 + i);
              }
            });
}

template <int W>
void box_muller(const double* u, const double* v, int count, double* first, double* second) {
  using Real = typename Vectors<W>::Real;
  // Whole vectors from padded copies; the padding's uniform 1/2 is harmless.
  alignas(64) double pass_u[kPass], pass_v[kPass], pass_first[kPass], pass_second[kPass];
  for (int done = 0; done < count; done += kPass) {
    const int lanes = count - done < kPass ? count - done : kPass;
    for (int i = 0; i < kPass; ++i) {
      pass_u[i] = i < lanes ? u[done + i] : 0.5;
      pass_v[i] = i < lanes ? v[done + i] : 0.5;
    }
    for (int i = 0; i < lanes; i += W) {
      box_muller_vector<W>(load<Real>(pass_u + i), load<Real>(pass_v + i), pass_first + i,
                           pass_second + i);
    }
    __builtin_memcpy(first + done, pass_first, sizeof(double) * lanes);
    __builtin_memcpy(second + done, pass_second, sizeof(double) * lanes);
  }
}

template <int W>
void words(const BlockCounter& counter, std::uint64_t first_path, int count, std::uint32_t* out) {
  alignas(64) std::uint32_t x0[kPass], x1[kPass], x2[kPass], x3[kPass];
  for (int done = 0; done < count; done += kPass) {
    const int lanes = count - done < kPass ? count - done : kPass;
    philox_rounds(counter, first_path + static_cast<std::uint64_t>(done), lanes, x0, x1, x2, x3);
    for (int i = 0; i < lanes; ++i) {
      std::uint32_t* lane = out + 4 * (done + i);
      lane[0] = x0[i];
      lane[1] = x1[i];
      lane[2] = x2[i];
      lane[3] = x3[i];
    }
  }
}

}  // namespace
}  // namespace sovrisk::lanes
