#include "sovrisk/uncertainty_report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "sovrisk/report.h"
#include "sovrisk/statistics.h"

namespace sovrisk {
namespace {

double integrated_low(const BandTable::Event& event, std::size_t y) {
  return std::max(0.0, event.integrated[y] - kZ95 * event.integrated_stderr[y]);
}

double integrated_high(const BandTable::Event& event, std::size_t y) {
  return std::min(1.0, event.integrated[y] + kZ95 * event.integrated_stderr[y]);
}

void print_provenance(std::ostream& out, const DesignProvenance& p) {
  out << "label        " << p.label << "\n"
      << "scenario     " << p.scenario << "\n"
      << "sovrisk      " << p.version << "\n"
      << "months       " << p.months << " from " << p.start << "\n"
      << "seed         " << p.seed << "\n"
      << "config       " << p.config_hash << "\n"
      << "created      " << p.created_utc << " (" << p.wall_seconds << " s)\n";
}

// The provenance that opens a design file's JSON object.
void begin_json(YAML::Emitter& json, const DesignProvenance& p) {
  use_json_style(json);
  json << YAML::BeginMap << YAML::Key << "label" << YAML::Value << p.label << YAML::Key
       << "scenario" << YAML::Value << p.scenario << YAML::Key << "sovrisk_version" << YAML::Value
       << p.version << YAML::Key << "seed" << YAML::Value << p.seed << YAML::Key << "months"
       << YAML::Value << p.months << YAML::Key << "start" << YAML::Value << p.start << YAML::Key
       << "config_hash" << YAML::Value << p.config_hash << YAML::Key << "created_utc" << YAML::Value
       << p.created_utc << YAML::Key << "wall_seconds" << YAML::Value << p.wall_seconds;
}

}  // namespace

void print_band_summary(std::ostream& out, const BandTable& table, ReportFormat format) {
  const std::size_t years = table.years.size();
  if (format == ReportFormat::kTable) {
    print_provenance(out, table.provenance);
    out << "design       " << table.outer << " parameter points of " << table.inner
        << " paths over";
    for (const std::string& key : table.parameters)
      out << " " << key;
    out << "\n";
    char line[200];
    for (const BandTable::Event& event : table.events) {
      out << "\n"
          << event.label
          << ": probability by the end of each year, integrated over the priors [95% CI], and "
             "its 5, 50 and 95 % points across the parameter points\n"
          << "year  integrated [95% CI]           5 %      50 %      95 %\n";
      for (std::size_t y = 0; y < years; ++y) {
        std::snprintf(line, sizeof line,
                      "%-4d  %6.2f%% [%6.2f%%, %6.2f%%]  %7.2f%%  %7.2f%%  %7.2f%%\n",
                      table.years[y], 100 * event.integrated[y], 100 * integrated_low(event, y),
                      100 * integrated_high(event, y), 100 * event.quantile[0][y],
                      100 * event.quantile[1][y], 100 * event.quantile[2][y]);
        out << line;
      }
    }
    return;
  }
  if (format == ReportFormat::kCsv) {
    out << "label,event,year,integrated,integrated_stderr,integrated_ci95_low,"
           "integrated_ci95_high";
    for (const char* level : {"05", "50", "95"})
      out << ",quantile_" << level << ",quantile_" << level << "_ci_low,quantile_" << level
          << "_ci_high";
    out << "\n";
    const std::string label = csv_text(table.provenance.label);
    char number[40];
    for (const BandTable::Event& event : table.events) {
      for (std::size_t y = 0; y < years; ++y) {
        out << label << "," << event.name << "," << table.years[y];
        for (const double value : {event.integrated[y], event.integrated_stderr[y],
                                   integrated_low(event, y), integrated_high(event, y)}) {
          std::snprintf(number, sizeof number, ",%.10g", value);
          out << number;
        }
        for (std::size_t l = 0; l < 3; ++l) {
          for (const double value :
               {event.quantile[l][y], event.quantile_low[l][y], event.quantile_high[l][y]}) {
            std::snprintf(number, sizeof number, ",%.10g", value);
            out << number;
          }
        }
        out << "\n";
      }
    }
    return;
  }
  YAML::Emitter json;
  begin_json(json, table.provenance);
  json << YAML::Key << "outer" << YAML::Value << table.outer << YAML::Key << "inner" << YAML::Value
       << table.inner << YAML::Key << "parameters" << YAML::Value << table.parameters << YAML::Key
       << "years" << YAML::Value << table.years << YAML::Key << "levels" << YAML::Value
       << YAML::BeginSeq;
  for (const double level : BandTable::kLevels)
    json << level;
  json << YAML::EndSeq;
  for (const BandTable::Event& event : table.events) {
    std::vector<double> low, high;
    for (std::size_t y = 0; y < years; ++y) {
      low.push_back(integrated_low(event, y));
      high.push_back(integrated_high(event, y));
    }
    const auto levels = [&](const char* name, const std::array<std::vector<double>, 3>& values) {
      json << YAML::Key << name << YAML::Value << YAML::BeginSeq;
      for (const auto& row : values)
        json << row;
      json << YAML::EndSeq;
    };
    json << YAML::Key << event.name << YAML::Value << YAML::BeginMap << YAML::Key << "label"
         << YAML::Value << event.label << YAML::Key << "integrated" << YAML::Value
         << event.integrated << YAML::Key << "integrated_stderr" << YAML::Value
         << event.integrated_stderr << YAML::Key << "integrated_ci95_low" << YAML::Value << low
         << YAML::Key << "integrated_ci95_high" << YAML::Value << high;
    levels("quantile", event.quantile);
    levels("quantile_ci_low", event.quantile_low);
    levels("quantile_ci_high", event.quantile_high);
    json << YAML::EndMap;
  }
  json << YAML::EndMap;
  out << json.c_str() << "\n";
}

void print_sensitivity_summary(std::ostream& out, const SensitivityTable& table,
                               ReportFormat format) {
  const std::size_t years = table.years.size();
  if (format == ReportFormat::kTable) {
    print_provenance(out, table.provenance);
    out << "design       Saltelli, N = " << table.rows << " rows, " << table.inner
        << " paths per point, " << table.resamples << " bootstrap resamples\n";
    char line[300];
    for (const SensitivityTable::Event& event : table.events) {
      out << "\n"
          << event.label
          << ": Sobol indices of P(event by the end of each year), parameters by total index "
             "[bootstrap 95% CI]\n";
      for (std::size_t y = 0; y < years; ++y) {
        const double variance = event.variance[y], noise = event.inner_variance[y];
        if (!(variance > 0)) {
          std::snprintf(line, sizeof line,
                        "%s by end %d (variance 0: no point sees the event; indices 0)\n",
                        event.label.c_str(), table.years[y]);
          out << line;
          continue;
        }
        std::snprintf(line, sizeof line,
                      "%s by end %d (variance %.3g, inner noise %.3g = %.0f %% of it)\n",
                      event.label.c_str(), table.years[y], variance, noise, 100 * noise / variance);
        out << line;
        for (const std::size_t i : table.ranked(event, y)) {
          const auto& first = event.first_order;
          const auto& total = event.total_order;
          std::snprintf(line, sizeof line,
                        "  %-40s first %6.3f [%6.3f, %6.3f]  total %6.3f [%6.3f, %6.3f]\n",
                        table.parameters[i].c_str(), first.value[i][y], first.low[i][y],
                        first.high[i][y], total.value[i][y], total.low[i][y], total.high[i][y]);
          out << line;
        }
      }
    }
    return;
  }
  if (format == ReportFormat::kCsv) {
    out << "label,event,year,rank,parameter,first_order,first_order_ci_low,first_order_ci_high,"
           "total_order,total_order_ci_low,total_order_ci_high,variance,inner_variance\n";
    const std::string label = csv_text(table.provenance.label);
    char numbers[300];
    for (const SensitivityTable::Event& event : table.events) {
      for (std::size_t y = 0; y < years; ++y) {
        std::size_t rank = 0;
        for (const std::size_t i : table.ranked(event, y)) {
          const auto& first = event.first_order;
          const auto& total = event.total_order;
          std::snprintf(numbers, sizeof numbers,
                        ",%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n", first.value[i][y],
                        first.low[i][y], first.high[i][y], total.value[i][y], total.low[i][y],
                        total.high[i][y], event.variance[y], event.inner_variance[y]);
          out << label << "," << event.name << "," << table.years[y] << "," << ++rank << ","
              << csv_text(table.parameters[i]) << numbers;
        }
      }
    }
    return;
  }
  YAML::Emitter json;
  begin_json(json, table.provenance);
  json << YAML::Key << "N" << YAML::Value << table.rows << YAML::Key << "M" << YAML::Value
       << table.inner << YAML::Key << "bootstrap_resamples" << YAML::Value << table.resamples
       << YAML::Key << "parameters" << YAML::Value << table.parameters << YAML::Key << "years"
       << YAML::Value << table.years;
  for (const SensitivityTable::Event& event : table.events) {
    json << YAML::Key << event.name << YAML::Value << YAML::BeginMap << YAML::Key << "label"
         << YAML::Value << event.label << YAML::Key << "variance" << YAML::Value << event.variance
         << YAML::Key << "inner_variance" << YAML::Value << event.inner_variance;
    // Parameters x years, in the order of `parameters`.
    for (const auto& [name, indices] : {std::pair<const char*, const SensitivityTable::Indices*>{
                                            "first_order", &event.first_order},
                                        {"total_order", &event.total_order}}) {
      json << YAML::Key << name << YAML::Value << indices->value << YAML::Key
           << std::string(name) + "_ci_low" << YAML::Value << indices->low << YAML::Key
           << std::string(name) + "_ci_high" << YAML::Value << indices->high;
    }
    json << YAML::EndMap;
  }
  json << YAML::EndMap;
  out << json.c_str() << "\n";
}

}  // namespace sovrisk
