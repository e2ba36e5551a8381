#include "sovrisk/uncertainty.h"

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/sobol.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "hdf5_support.h"
#include "run_attributes.h"
#include "sovrisk/calendar.h"
#include "sovrisk/engine.h"
#include "sovrisk/parameters.h"
#include "sovrisk/partial_result.h"
#include "sovrisk/priors.h"
#include "sovrisk/uncertainty_io.h"

namespace sovrisk {

using namespace hdf5;

namespace {

void require_priors(const Config& config, const char* what) {
  if (config.priors.empty()) {
    throw InputError(std::string(what) +
                     " needs parameters with priors: give at least one key as a distribution "
                     "(docs/config.md, \"Priors\")");
  }
}

// The q-quantile of `values` (sorted): the order statistic of rank ceil(q n),
// the inverse of the empirical distribution function.
double order_statistic(const std::vector<double>& sorted, std::uint64_t rank) {
  rank = std::clamp<std::uint64_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// A coordinate of a design's group (docs/output.md, "Dimensions and
// coordinates"): `<group>/<name>` made a dimension scale, returned open for
// attach_dimension_scales, so that xarray names and labels the group's dimensions.
Handle integer_coordinate(Writer& out, const std::string& group, const std::string& name,
                          const std::vector<std::int64_t>& values, const std::string& units,
                          const std::string& description) {
  Handle set = out.dataset(group + "/" + name, H5T_NATIVE_INT64, H5T_STD_I64LE, values.data(),
                           {values.size()}, units, description);
  make_dimension_scale(set, name);
  return set;
}

Handle year_coordinate(Writer& out, const std::string& group, const std::vector<int>& years) {
  return integer_coordinate(out, group, "year",
                            std::vector<std::int64_t>(years.begin(), years.end()), "year",
                            "Calendar years of the horizon");
}

std::vector<std::int64_t> counting(std::size_t count) {
  std::vector<std::int64_t> values(count);
  for (std::size_t i = 0; i < count; ++i)
    values[i] = static_cast<std::int64_t>(i);
  return values;
}

// P(event by each year's end | point) of points first .. end - 1, on this
// process's threads.
std::vector<RowMajorArray> probabilities_at(const Config& config,
                                            const std::vector<std::vector<double>>& points,
                                            std::uint64_t first, std::uint64_t end,
                                            std::uint64_t inner, int threads) {
  const auto counts = count_events(
      static_cast<std::size_t>(end - first),
      [&](std::size_t k) { return config_at_point(config, points[first + k], inner); }, threads);
  const std::vector<int> year_ends = calendar_of(config).last_month_of_each_year();
  std::vector<RowMajorArray> probabilities;
  for (const EventCounts& point : counts) {
    const auto& months = point.month_counts;
    RowMajorArray p(static_cast<Eigen::Index>(months.size()), year_ends.size());
    for (std::size_t e = 0; e < months.size(); ++e) {
      std::uint64_t events = 0;
      int month = 0;
      for (std::size_t y = 0; y < year_ends.size(); ++y) {
        for (; month <= year_ends[y]; ++month)
          events += months[e][month];
        p(e, y) = static_cast<double>(events) / static_cast<double>(inner);
      }
    }
    probabilities.push_back(std::move(p));
  }
  return probabilities;
}

}  // namespace

Config config_at_point(const Config& config, const std::vector<double>& values,
                       std::uint64_t paths) {
  Config at = config;
  for (std::size_t k = 0; k < config.priors.size(); ++k)
    number_field(config.priors[k].key)(at) = values.at(k);
  at.priors.clear();
  at.simulation.paths = paths;
  return at;
}

PointRange shard_points(std::uint64_t points, std::uint64_t shard, std::uint64_t shards) {
  // The first points % shards shards have one point more.
  const std::uint64_t index = shard - 1, size = points / shards, longer = points % shards;
  const std::uint64_t first = index * size + std::min(index, longer);
  return {first, first + size + (index < longer ? 1 : 0)};
}

std::vector<RowMajorArray> probabilities_at_points(const Config& config,
                                                   const std::vector<std::vector<double>>& points,
                                                   PointRange range, std::uint64_t inner,
                                                   int threads, Cluster& cluster) {
  const auto ranks = static_cast<std::uint64_t>(cluster.size());
  const auto rank = static_cast<std::uint64_t>(cluster.rank());
  const PointRange mine_range = shard_points(range.size(), rank + 1, ranks);
  std::vector<std::byte> mine;
  cluster.agree([&] {
    Packer out;
    for (const RowMajorArray& point :
         probabilities_at(config, points, range.first + mine_range.first,
                          range.first + mine_range.end, inner, threads)) {
      out.put<std::uint64_t>(static_cast<std::uint64_t>(point.rows()));
      out.put_all(point.data(), static_cast<std::size_t>(point.size()));
    }
    mine = std::move(out.bytes());
    return false;
  });
  std::vector<RowMajorArray> all;
  for (const std::vector<std::byte>& bytes : cluster.gather_bytes(std::move(mine))) {
    Unpacker in(bytes);
    while (!in.done()) {
      const auto rows = static_cast<Eigen::Index>(in.get<std::uint64_t>());
      const std::vector<double> values = in.get_all<double>();
      const auto columns = rows > 0 ? static_cast<Eigen::Index>(values.size()) / rows : 0;
      all.push_back(Eigen::Map<const RowMajorArray>(values.data(), rows, columns));
    }
  }
  return all;
}

Design band_design(const Config& config, std::uint64_t outer, std::uint64_t inner) {
  require_priors(config, "--outer and --inner");
  Design design;
  design.kind = Design::Kind::kBand;
  design.size = outer;
  design.inner = inner;
  for (std::uint64_t j = 0; j < outer; ++j)
    design.points.push_back(parameters_of_path(config, j));
  return design;
}

ParametricBand band_of(const Config& config, const Design& design,
                       const std::vector<RowMajorArray>& at) {
  ParametricBand band;
  band.outer = design.size;
  band.inner = design.inner;
  band.years = calendar_of(config).years();
  band.outputs = output_set(config);
  band.points = design.points;
  const std::uint64_t outer = band.outer;
  const auto years = static_cast<Eigen::Index>(band.years.size());
  const double n = static_cast<double>(outer), m = static_cast<double>(band.inner);
  for (int e = 0; e < band.outputs.events; ++e) {
    RowMajorArray p(static_cast<Eigen::Index>(outer), years);
    for (std::uint64_t j = 0; j < outer; ++j)
      p.row(static_cast<Eigen::Index>(j)) = at[j].row(e);
    Eigen::ArrayXd mean = p.colwise().mean().transpose();
    Eigen::ArrayXd stderr_of_mean(years);
    RowMajorArray levels(3, years), low(3, years), high(3, years), noise(3, years);
    for (Eigen::Index y = 0; y < years; ++y) {
      std::vector<double> column;
      for (std::uint64_t j = 0; j < outer; ++j)
        column.push_back(p(static_cast<Eigen::Index>(j), y));
      const double spread = outer > 1 ? (p.col(y) - mean[y]).square().sum() / (n - 1) : 0.0;
      // The points' spread over n, plus the inner noise they share through
      // common random numbers, at most p(1-p)/m: conservative.
      stderr_of_mean[y] = std::sqrt(spread / n + mean[y] * (1 - mean[y]) / m);
      std::sort(column.begin(), column.end());
      for (int l = 0; l < 3; ++l) {
        const double q = ParametricBand::kLevels[l];
        levels(l, y) = order_statistic(column, static_cast<std::uint64_t>(std::ceil(q * n)));
        // Distribution-free: [X_(r), X_(s)] holds the q-quantile with probability
        // >= 95 % for r, s the binomial(n, q) 2.5 % and 97.5 % points (s + 1).
        const boost::math::binomial_distribution<> ranks(n, q);
        const auto r = static_cast<std::uint64_t>(boost::math::quantile(ranks, 0.025));
        const auto s = static_cast<std::uint64_t>(
            boost::math::quantile(boost::math::complement(ranks, 0.025)));
        low(l, y) = order_statistic(column, r);
        high(l, y) = order_statistic(column, s + 1);
        noise(l, y) = std::sqrt(levels(l, y) * (1 - levels(l, y)) / m);
      }
    }
    band.probability.push_back(std::move(p));
    band.integrated.push_back(std::move(mean));
    band.integrated_stderr.push_back(std::move(stderr_of_mean));
    band.quantile.push_back(std::move(levels));
    band.quantile_low.push_back(std::move(low));
    band.quantile_high.push_back(std::move(high));
    band.quantile_inner_stderr.push_back(std::move(noise));
  }
  return band;
}

void write_band(const std::string& path, const Config& config, const ParametricBand& band,
                double wall_seconds, int threads) {
  write_atomically(path, [&](Writer& out) {
    const hid_t root = out.file();
    write_design_attributes(root, config, kBandFileType, kDesignFormatVersion, band.outputs,
                            wall_seconds, threads);
    write_attribute(root, "outer", band.outer, H5T_NATIVE_UINT64);
    write_attribute(root, "inner", band.inner, H5T_NATIVE_UINT64);
    out.group("/band");
    out.dataset("/band/year", H5T_NATIVE_INT, H5T_STD_I32LE, band.years.data(), {band.years.size()},
                "year", "Calendar years of the horizon");
    out.doubles("/band/level", ParametricBand::kLevels.data(), {3}, "1",
                "Levels of the quantiles across the points: 5, 50 and 95 %");
    const std::vector<std::string> keys = prior_keys(config);
    write_strings(out, "/band/parameters", keys, {keys.size()}, "The keys with priors, in order");
    std::vector<double> points;
    for (const auto& point : band.points)
      points.insert(points.end(), point.begin(), point.end());
    out.doubles("/band/points", points.data(), {band.outer, config.priors.size()}, "the key's",
                "Point j's value of each key: what path j of a run with the priors draws");
    for (int e = 0; e < band.outputs.events; ++e) {
      const std::string group = std::string("/band/") + event_name(e);
      const std::string what = event_info(e).description;
      const hsize_t years = band.years.size();
      out.group(group);
      Handle year = year_coordinate(out, group, band.years);
      Handle point = integer_coordinate(out, group, "point", counting(band.outer), "point index",
                                        "Index j of each parameter point, from 0");
      Handle level = out.doubles(group + "/level", ParametricBand::kLevels.data(), {3}, "1",
                                 "Levels of the quantiles across the points");
      make_dimension_scale(level, "level");
      const auto by_year = [&](const std::string& name, const Eigen::ArrayXd& values,
                               const std::string& description) {
        attach_dimension_scales(
            out.doubles(group + "/" + name, values.data(), {years}, "1", description), {year},
            group + "/" + name);
      };
      const auto by_level = [&](const std::string& name, const RowMajorArray& values,
                                const std::string& description) {
        attach_dimension_scales(
            out.doubles(group + "/" + name, values.data(), {3, years}, "1", description),
            {level, year}, group + "/" + name);
      };
      attach_dimension_scales(
          out.doubles(group + "/conditional", band.probability[e].data(), {band.outer, years}, "1",
                      "P(" + what + " by the end of each year | point j), from the inner paths"),
          {point, year}, group + "/conditional");
      by_year("integrated", band.integrated[e],
              "Mean over the points: the probability integrated over the priors");
      by_year("integrated_stderr", band.integrated_stderr[e],
              "Monte Carlo standard error of integrated, conservative");
      by_level("quantile", band.quantile[e],
               "5, 50 and 95 % points of the conditional probability across the points");
      by_level("quantile_ci_low", band.quantile_low[e],
               "Lower end of the distribution-free 95 % interval of each quantile");
      by_level("quantile_ci_high", band.quantile_high[e],
               "Upper end of the distribution-free 95 % interval of each quantile");
      by_level("quantile_inner_stderr", band.quantile_inner_stderr[e],
               "Inner Monte Carlo noise of a point's probability at each quantile, "
               "sqrt(q (1 - q) / inner)");
    }
  });
}

void print_band(const ParametricBand& band) {
  std::printf(
      "\nProbability by the end of each year, integrated over the priors, and its spread "
      "across %llu parameter points (%llu paths each)\n",
      static_cast<unsigned long long>(band.outer), static_cast<unsigned long long>(band.inner));
  for (int e = 0; e < band.outputs.events; ++e) {
    std::printf("%s\nyear  integrated [± s.e.]     5 %%      50 %%      95 %%  across the points\n",
                event_info(e).label);
    for (std::size_t y = 0; y < band.years.size(); ++y) {
      const auto i = static_cast<Eigen::Index>(y);
      std::printf("%d  %7.2f%% [± %5.2f%%]  %7.2f%%  %7.2f%%  %7.2f%%\n", band.years[y],
                  100 * band.integrated[e][i], 100 * band.integrated_stderr[e][i],
                  100 * band.quantile[e](0, i), 100 * band.quantile[e](1, i),
                  100 * band.quantile[e](2, i));
    }
  }
}

void saltelli_matrices(std::uint64_t rows, int k, std::vector<std::vector<double>>& a,
                       std::vector<std::vector<double>>& b) {
  boost::random::sobol sequence(static_cast<std::size_t>(2 * k));
  sequence.discard(static_cast<std::uintmax_t>(2 * k));  // the first point, all zeros
  boost::random::uniform_01<double> unit;
  a.assign(rows, std::vector<double>(k));
  b.assign(rows, std::vector<double>(k));
  for (std::uint64_t j = 0; j < rows; ++j) {
    for (int i = 0; i < k; ++i)
      a[j][i] = unit(sequence);
    for (int i = 0; i < k; ++i)
      b[j][i] = unit(sequence);
  }
}

SobolIndices jansen_indices(const std::vector<double>& fa, const std::vector<double>& fb,
                            const std::vector<std::vector<double>>& fab, int resamples,
                            std::uint64_t seed) {
  const std::size_t n = fa.size();
  const auto k = static_cast<Eigen::Index>(fab.size());
  // Jansen (1999), as Saltelli et al. (2010) table 2 (b, f): with V the variance
  // of f over A and B,
  //   S_i  = (V - 1/(2n) sum_j (f(B_j) - f(AB^i_j))^2) / V,
  //   ST_i = 1/(2n) sum_j (f(A_j) - f(AB^i_j))^2 / V.
  const auto estimate = [&](const std::vector<std::size_t>& rows, Eigen::ArrayXd& first,
                            Eigen::ArrayXd& total) {
    double mean = 0;
    for (std::size_t j : rows)
      mean += fa[j] + fb[j];
    mean /= 2.0 * rows.size();
    double variance = 0;
    for (std::size_t j : rows)
      variance += (fa[j] - mean) * (fa[j] - mean) + (fb[j] - mean) * (fb[j] - mean);
    variance /= 2.0 * rows.size() - 1;
    first.resize(k);
    total.resize(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      double b_gap = 0, a_gap = 0;
      for (std::size_t j : rows) {
        b_gap += (fb[j] - fab[i][j]) * (fb[j] - fab[i][j]);
        a_gap += (fa[j] - fab[i][j]) * (fa[j] - fab[i][j]);
      }
      b_gap /= 2.0 * rows.size();
      a_gap /= 2.0 * rows.size();
      first[i] = variance > 0 ? (variance - b_gap) / variance : 0.0;
      total[i] = variance > 0 ? a_gap / variance : 0.0;
    }
    return variance;
  };
  SobolIndices out;
  std::vector<std::size_t> all(n);
  for (std::size_t j = 0; j < n; ++j)
    all[j] = j;
  out.variance = estimate(all, out.first_order, out.total_order);

  boost::random::mt19937_64 generator(seed);
  boost::random::uniform_int_distribution<std::size_t> pick(0, n - 1);
  std::vector<Eigen::ArrayXd> firsts, totals;
  std::vector<std::size_t> rows(n);
  for (int r = 0; r < resamples; ++r) {
    for (auto& row : rows)
      row = pick(generator);
    Eigen::ArrayXd first, total;
    estimate(rows, first, total);
    firsts.push_back(first);
    totals.push_back(total);
  }
  const auto percentile = [&](const std::vector<Eigen::ArrayXd>& samples, Eigen::Index i,
                              double q) {
    std::vector<double> values;
    for (const auto& sample : samples)
      values.push_back(sample[i]);
    std::sort(values.begin(), values.end());
    return order_statistic(values, static_cast<std::uint64_t>(std::ceil(q * values.size())));
  };
  out.first_low = out.first_high = out.total_low = out.total_high = Eigen::ArrayXd::Zero(k);
  for (Eigen::Index i = 0; i < k && resamples > 0; ++i) {
    out.first_low[i] = percentile(firsts, i, 0.025);
    out.first_high[i] = percentile(firsts, i, 0.975);
    out.total_low[i] = percentile(totals, i, 0.025);
    out.total_high[i] = percentile(totals, i, 0.975);
  }
  return out;
}

Design sensitivity_design(const Config& config, std::uint64_t rows, std::uint64_t inner,
                          int resamples) {
  require_priors(config, "sensitivity");
  const int k = static_cast<int>(config.priors.size());
  std::vector<std::vector<double>> a, b;
  saltelli_matrices(rows, k, a, b);
  Design design;
  design.kind = Design::Kind::kSensitivity;
  design.size = rows;
  design.inner = inner;
  design.resamples = resamples;
  const auto values_of = [&](const std::vector<double>& uniforms) {
    std::vector<double> values;
    for (int i = 0; i < k; ++i)
      values.push_back(config.priors[i].prior.quantile(uniforms[i]));
    return values;
  };
  for (const auto& row : a)
    design.points.push_back(values_of(row));
  for (const auto& row : b)
    design.points.push_back(values_of(row));
  for (int i = 0; i < k; ++i) {
    for (std::uint64_t j = 0; j < rows; ++j) {
      std::vector<double> mixed = a[j];
      mixed[i] = b[j][i];
      design.points.push_back(values_of(mixed));
    }
  }
  return design;
}

Sensitivity sensitivity_of(const Config& config, const Design& design,
                           const std::vector<RowMajorArray>& at) {
  const int k = static_cast<int>(config.priors.size());
  const std::uint64_t rows = design.size, inner = design.inner;
  const int resamples = design.resamples;
  Sensitivity result;
  result.rows = rows;
  result.inner = inner;
  result.resamples = resamples;
  result.parameters = prior_keys(config);
  result.years = calendar_of(config).years();
  result.outputs = output_set(config);
  const auto years = static_cast<Eigen::Index>(result.years.size());
  for (int e = 0; e < result.outputs.events; ++e) {
    std::vector<SobolIndices> per_year;
    Eigen::ArrayXd noise(years);
    for (Eigen::Index y = 0; y < years; ++y) {
      std::vector<double> fa(rows), fb(rows);
      std::vector<std::vector<double>> fab(k, std::vector<double>(rows));
      for (std::uint64_t j = 0; j < rows; ++j) {
        fa[j] = at[j](e, y);
        fb[j] = at[rows + j](e, y);
        for (int i = 0; i < k; ++i)
          fab[i][j] = at[(2 + i) * rows + j](e, y);
      }
      per_year.push_back(jansen_indices(fa, fb, fab, resamples, config.simulation.seed));
      double binomial = 0;
      for (const auto& point : at)
        binomial += point(e, y) * (1 - point(e, y));
      noise[y] = binomial / static_cast<double>(at.size()) / static_cast<double>(inner);
    }
    result.indices.push_back(std::move(per_year));
    result.inner_variance.push_back(std::move(noise));
  }
  return result;
}

void write_sensitivity(const std::string& path, const Config& config, const Sensitivity& result,
                       double wall_seconds, int threads) {
  write_atomically(path, [&](Writer& out) {
    const hid_t root = out.file();
    write_design_attributes(root, config, kSensitivityFileType, kDesignFormatVersion,
                            result.outputs, wall_seconds, threads);
    out.group("/sobol");
    {
      Handle sobol(H5Gopen2(root, "/sobol", H5P_DEFAULT), H5Gclose, "open /sobol");
      write_attribute(sobol, "N", result.rows, H5T_NATIVE_UINT64);
      write_attribute(sobol, "M", result.inner, H5T_NATIVE_UINT64);
      write_attribute(sobol, "bootstrap_resamples", static_cast<std::int64_t>(result.resamples),
                      H5T_NATIVE_INT64);
      write_attribute(sobol, "estimator",
                      std::string("Saltelli (2010) design on a Sobol sequence; Jansen (1999) "
                                  "first-order and total estimators; percentile bootstrap"));
      write_attribute(sobol, "seed", config.simulation.seed, H5T_NATIVE_UINT64);
    }
    write_strings(out, "/sobol/parameters", result.parameters, {result.parameters.size()},
                  "The keys with priors, in order");
    out.dataset("/sobol/year", H5T_NATIVE_INT, H5T_STD_I32LE, result.years.data(),
                {result.years.size()}, "year", "Calendar years of the horizon");
    const hsize_t k = result.parameters.size(), years = result.years.size();
    for (int e = 0; e < result.outputs.events; ++e) {
      const std::string group = std::string("/sobol/") + event_name(e);
      out.group(group);
      Handle year = year_coordinate(out, group, result.years);
      std::vector<const char*> names;
      for (const auto& name : result.parameters)
        names.push_back(name.c_str());
      Handle text = string_type();
      Handle parameter = out.dataset(group + "/parameter", text, text, names.data(), {k}, "",
                                     "The key of each row: the parameters with priors");
      make_dimension_scale(parameter, "parameter");
      const auto table = [&](const char* name, Eigen::ArrayXd SobolIndices::*field,
                             const std::string& description) {
        std::vector<double> values(k * years);
        for (hsize_t y = 0; y < years; ++y) {
          for (hsize_t i = 0; i < k; ++i)
            values[i * years + y] = (result.indices[e][y].*field)[static_cast<Eigen::Index>(i)];
        }
        attach_dimension_scales(
            out.doubles(group + "/" + name, values.data(), {k, years}, "1", description),
            {parameter, year}, group + "/" + name);
      };
      const std::string of = "of P(" + std::string(event_info(e).description) + " by year)";
      table("first_order", &SobolIndices::first_order, "First-order Sobol index " + of);
      table("first_order_ci_low", &SobolIndices::first_low, "Bootstrap 2.5 % point of first_order");
      table("first_order_ci_high", &SobolIndices::first_high,
            "Bootstrap 97.5 % point of first_order");
      table("total_order", &SobolIndices::total_order, "Total-order Sobol index " + of);
      table("total_order_ci_low", &SobolIndices::total_low, "Bootstrap 2.5 % point of total_order");
      table("total_order_ci_high", &SobolIndices::total_high,
            "Bootstrap 97.5 % point of total_order");
      std::vector<double> variance;
      for (hsize_t y = 0; y < years; ++y)
        variance.push_back(result.indices[e][y].variance);
      attach_dimension_scales(
          out.doubles(group + "/variance", variance.data(), {years}, "1",
                      "Variance of P(event by year | point) over the design's A and B points"),
          {year}, group + "/variance");
      attach_dimension_scales(
          out.doubles(group + "/inner_variance", result.inner_variance[e].data(), {years}, "1",
                      "Inner Monte Carlo variance of a point's probability, mean of p (1 - p) / M"),
          {year}, group + "/inner_variance");
    }
  });
}

void print_sensitivity(const Sensitivity& result) {
  std::printf("\nSobol indices of P(event by the end of each year) (N = %llu, M = %llu paths)\n",
              static_cast<unsigned long long>(result.rows),
              static_cast<unsigned long long>(result.inner));
  for (int e = 0; e < result.outputs.events; ++e) {
    for (std::size_t y = 0; y < result.years.size(); ++y) {
      const SobolIndices& s = result.indices[e][y];
      if (!(s.variance > 0))
        continue;
      std::printf("%s by end %d (variance %.3g, inner noise %.0f %% of it)\n", event_info(e).label,
                  result.years[y], s.variance,
                  100 * result.inner_variance[e][static_cast<Eigen::Index>(y)] / s.variance);
      for (std::size_t i = 0; i < result.parameters.size(); ++i) {
        const auto p = static_cast<Eigen::Index>(i);
        std::printf("  %-40s first %6.3f [%6.3f, %6.3f]  total %6.3f [%6.3f, %6.3f]\n",
                    result.parameters[i].c_str(), s.first_order[p], s.first_low[p], s.first_high[p],
                    s.total_order[p], s.total_low[p], s.total_high[p]);
      }
    }
  }
}

}  // namespace sovrisk
