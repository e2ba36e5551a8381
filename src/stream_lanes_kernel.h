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
#if defined(__SSE2__)
#include <immintrin.h>
#endif

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

// The 64-bit products of the low 32-bit halves of a's and b's lanes: one
// packed unsigned multiply (pmuludq) where the unit is compiled for x86, the
// portable product of the masked halves elsewhere. The same bits either way.
template <int W>
inline typename Vectors<W>::Word product_of_low_halves(typename Vectors<W>::Word a,
                                                       typename Vectors<W>::Word b) {
  using Word = typename Vectors<W>::Word;
#if defined(__AVX512F__)
  if constexpr (W == 8)
    return (Word)_mm512_mul_epu32((__m512i)a, (__m512i)b);
#endif
#if defined(__AVX2__)
  if constexpr (W == 4)
    return (Word)_mm256_mul_epu32((__m256i)a, (__m256i)b);
#endif
#if defined(__SSE2__)
  if constexpr (W == 2)
    return (Word)_mm_mul_epu32((__m128i)a, (__m128i)b);
#endif
  const Word low = splat_word<Word>(0xFFFFFFFFull);
  return (a & low) * (b & low);
}

// Philox4x32-10's ten round keys of a seed, (seed low, seed high) bumped by
// the Weyl constants, as vectors: the same for every lane and block.
template <int W>
struct PhiloxKeys {
  typename Vectors<W>::Word first[10], second[10];
  explicit PhiloxKeys(std::uint64_t seed) {
    using Word = typename Vectors<W>::Word;
    auto k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
    for (int round = 0; round < 10; ++round) {
      first[round] = splat_word<Word>(k0);
      second[round] = splat_word<Word>(k1);
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
  }
};

// Philox4x32-10 (Salmon et al. 2011; Random123's philox4x32 bit for bit) of
// the counters (block, month_kind, path low, path high) of W consecutive
// paths, one 32-bit word per 64-bit lane. Only the low halves of the lanes
// are words: the high halves of x1 and x3, the products' garbage, reach
// nothing but the high halves of x0 and x2, which the multiplies ignore and
// the final shift drops. Gives the block's halves (x0 x1) and (x2 x3).
template <int W>
inline void philox(const PhiloxKeys<W>& keys, const BlockCounter& counter, std::uint64_t first_path,
                   typename Vectors<W>::Word& first, typename Vectors<W>::Word& second) {
  using Word = typename Vectors<W>::Word;
  const Word low = splat_word<Word>(0xFFFFFFFFull);
  Word path = splat_word<Word>(first_path);
  for (int j = 0; j < W; ++j)
    path[j] += static_cast<std::uint64_t>(j);
  Word x0 = splat_word<Word>(counter.block), x1 = splat_word<Word>(counter.month_kind);
  Word x2 = path & low, x3 = path >> 32;
  const Word m0 = splat_word<Word>(0xD2511F53u), m1 = splat_word<Word>(0xCD9E8D57u);
  for (int round = 0; round < 10; ++round) {
    const Word p0 = product_of_low_halves<W>(x0, m0), p1 = product_of_low_halves<W>(x2, m1);
    x0 = (p1 >> 32) ^ x1 ^ keys.first[round];
    x1 = p1;
    x2 = (p0 >> 32) ^ x3 ^ keys.second[round];
    x3 = p0;
  }
  first = (x0 << 32) | (x1 & low);
  second = (x2 << 32) | (x3 & low);
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
inline void store(void* to, const Vector& v) {
  __builtin_memcpy(to, &v, sizeof v);
}

// Computes count lanes of `counter`, from first_path on, W at a time:
// `transform(half1, half2, out1, out2)` makes the block's halves two doubles
// per lane. A last partial vector computes real paths' lanes past count and
// drops them.
template <int W, typename Transform>
inline void over_lanes(const BlockCounter& counter, std::uint64_t first_path, int count,
                       double* first, double* second, Transform&& transform) {
  using Word = typename Vectors<W>::Word;
  using Real = typename Vectors<W>::Real;
  const PhiloxKeys<W> keys(counter.seed);
  for (int i = 0; i < count; i += W) {
    Word half1, half2;
    philox<W>(keys, counter, first_path + static_cast<std::uint64_t>(i), half1, half2);
    Real out1, out2;
    transform(half1, half2, out1, out2);
    if (i + W <= count) {
      store(first + i, out1);
      store(second + i, out2);
    } else {
      for (int j = 0; i + j < count; ++j) {
        first[i + j] = out1[j];
        second[i + j] = out2[j];
      }
    }
  }
}

template <int W>
void uniform_pairs(const BlockCounter& counter, std::uint64_t first_path, int count, double* first,
                   double* second) {
  using V = Vectors<W>;
  over_lanes<W>(counter, first_path, count, first, second,
                [](typename V::Word half1, typename V::Word half2, typename V::Real& u1,
                   typename V::Real& u2) {
                  u1 = uniform<W>(half1);
                  u2 = uniform<W>(half2);
                });
}

template <int W>
inline void box_muller_vector(typename Vectors<W>::Real u, typename Vectors<W>::Real v,
                              typename Vectors<W>::Real& first, typename Vectors<W>::Real& second) {
  using Real = typename Vectors<W>::Real;
  const Real radius = square_root<W>(splat<Real>(-2.0) * log<W>(u));
  Real sine, cosine;
  sin_cos_of_turns<W>(v, sine, cosine);
  first = radius * cosine;
  second = radius * sine;
}

template <int W>
void normal_pairs(const BlockCounter& counter, std::uint64_t first_path, int count, double* first,
                  double* second) {
  using V = Vectors<W>;
  over_lanes<W>(counter, first_path, count, first, second,
                [](typename V::Word half1, typename V::Word half2, typename V::Real& z1,
                   typename V::Real& z2) {
                  box_muller_vector<W>(uniform<W>(half1), uniform<W>(half2), z1, z2);
                });
}

template <int W>
void box_muller(const double* u, const double* v, int count, double* first, double* second) {
  using Real = typename Vectors<W>::Real;
  for (int i = 0; i < count; i += W) {
    // The last vector is padded with uniforms 1/2, computed and dropped.
    Real uw = splat<Real>(0.5), vw = splat<Real>(0.5);
    for (int j = 0; j < W && i + j < count; ++j) {
      uw[j] = u[i + j];
      vw[j] = v[i + j];
    }
    Real z1, z2;
    box_muller_vector<W>(uw, vw, z1, z2);
    for (int j = 0; j < W && i + j < count; ++j) {
      first[i + j] = z1[j];
      second[i + j] = z2[j];
    }
  }
}

template <int W>
void words(const BlockCounter& counter, std::uint64_t first_path, int count, std::uint32_t* out) {
  using Word = typename Vectors<W>::Word;
  const PhiloxKeys<W> keys(counter.seed);
  for (int i = 0; i < count; i += W) {
    Word half1, half2;
    philox<W>(keys, counter, first_path + static_cast<std::uint64_t>(i), half1, half2);
    for (int j = 0; j < W && i + j < count; ++j) {
      std::uint32_t* lane = out + 4 * (i + j);
      lane[0] = static_cast<std::uint32_t>(half1[j] >> 32);
      lane[1] = static_cast<std::uint32_t>(half1[j]);
      lane[2] = static_cast<std::uint32_t>(half2[j] >> 32);
      lane[3] = static_cast<std::uint32_t>(half2[j]);
    }
  }
}

}  // namespace
}  // namespace sovrisk::lanes
