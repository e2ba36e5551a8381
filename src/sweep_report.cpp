#include "sovrisk/sweep_report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>

#include "sovrisk/report.h"

namespace sovrisk {
namespace {

std::string padded(std::string text, std::size_t width) {
  text.resize(std::max(width, text.size()), ' ');
  return text;
}

}  // namespace

void print_sweep_table(std::ostream& out, const SweepTable& table) {
  std::vector<std::size_t> widths;
  for (std::size_t k = 0; k < table.keys.size(); ++k) {
    std::size_t width = table.keys[k].size();
    for (const auto& values : table.values)
      width = std::max(width, values[k].size());
    widths.push_back(width);
  }
  const std::size_t reference = table.reference;
  char line[200];
  for (const SweepTable::Event& event : table.events) {
    out << "\n"
        << event.label << ": probability by the end of each year [Wilson 95% CI]; difference from "
        << "point " << reference + 1 << " (" << table.labels[reference]
        << ") on the same paths [95% CI]\n";
    out << "point  ";
    for (std::size_t k = 0; k < table.keys.size(); ++k)
      out << padded(table.keys[k], widths[k]) << "  ";
    out << "by end  probability [95% CI]      difference [95% CI]\n";
    for (std::size_t p = 0; p < table.values.size(); ++p) {
      for (std::size_t y = 0; y < table.years.size(); ++y) {
        out << padded(std::to_string(p + 1), 5) << "  ";
        for (std::size_t k = 0; k < table.keys.size(); ++k)
          out << padded(table.values[p][k], widths[k]) << "  ";
        const ProbabilityEstimate& e = event.probability[p][y];
        const DifferenceEstimate& d = event.difference[p][y];
        std::snprintf(line, sizeof line,
                      "%-6d  %6.2f%% [%6.2f%%, %6.2f%%]  %+7.2f%% [%+7.2f%%, %+7.2f%%]\n",
                      table.years[y], 100 * e.probability, 100 * e.ci95_low, 100 * e.ci95_high,
                      100 * d.difference, 100 * d.ci95_low, 100 * d.ci95_high);
        out << line;
      }
    }
  }
}

void print_sweep_summary(std::ostream& out, const SweepTable& table, ReportFormat format) {
  if (format == ReportFormat::kTable) {
    out << "scenario     " << table.scenario << "\n"
        << "sovrisk      " << table.version << "\n"
        << "paths        " << table.paths << " x " << table.months << " months from " << table.start
        << "\n"
        << "seed         " << table.seed << "\n"
        << "config       " << table.config_hash << " (point " << table.reference + 1 << ")\n"
        << "created      " << table.created_utc << " (" << table.wall_seconds << " s)\n"
        << "design       " << table.design << ", " << table.values.size() << " points over";
    for (const std::string& key : table.keys)
      out << " " << key;
    out << "\n";
    print_sweep_table(out, table);
    return;
  }
  if (format == ReportFormat::kCsv) {
    out << "point";
    for (const std::string& key : table.keys)
      out << "," << csv_text(key);
    out << ",event,year,probability,stderr,ci95_low,ci95_high,difference,difference_stderr,"
           "difference_ci95_low,difference_ci95_high\n";
    char line[300];
    for (std::size_t p = 0; p < table.values.size(); ++p) {
      std::string point = std::to_string(p + 1);
      for (const std::string& value : table.values[p])
        point += "," + csv_text(value);
      for (const SweepTable::Event& event : table.events) {
        for (std::size_t y = 0; y < table.years.size(); ++y) {
          const ProbabilityEstimate& e = event.probability[p][y];
          const DifferenceEstimate& d = event.difference[p][y];
          std::snprintf(
              line, sizeof line, ",%s,%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g\n",
              event.name.c_str(), table.years[y], e.probability, e.standard_error, e.ci95_low,
              e.ci95_high, d.difference, d.standard_error, d.ci95_low, d.ci95_high);
          out << point << line;
        }
      }
    }
    return;
  }
  YAML::Emitter json;
  use_json_style(json);
  json << YAML::BeginMap << YAML::Key << "scenario" << YAML::Value << table.scenario << YAML::Key
       << "sovrisk_version" << YAML::Value << table.version << YAML::Key << "seed" << YAML::Value
       << table.seed << YAML::Key << "paths" << YAML::Value << table.paths << YAML::Key << "months"
       << YAML::Value << table.months << YAML::Key << "start" << YAML::Value << table.start
       << YAML::Key << "config_hash" << YAML::Value << table.config_hash << YAML::Key
       << "created_utc" << YAML::Value << table.created_utc << YAML::Key << "wall_seconds"
       << YAML::Value << table.wall_seconds << YAML::Key << "design" << YAML::Value << table.design
       << YAML::Key << "keys" << YAML::Value << table.keys << YAML::Key << "values" << YAML::Value
       << table.values << YAML::Key << "labels" << YAML::Value << table.labels << YAML::Key
       << "reference_point" << YAML::Value << table.reference + 1 << YAML::Key << "years"
       << YAML::Value << table.years;
  for (const SweepTable::Event& event : table.events) {
    json << YAML::Key << event.name << YAML::Value << YAML::BeginMap;
    const auto field = [&](const char* name, auto value) {
      json << YAML::Key << name << YAML::Value << YAML::BeginSeq;
      for (std::size_t p = 0; p < table.values.size(); ++p) {
        json << YAML::BeginSeq;
        for (std::size_t y = 0; y < table.years.size(); ++y)
          json << value(p, y);
        json << YAML::EndSeq;
      }
      json << YAML::EndSeq;
    };
    field("probability",
          [&](std::size_t p, std::size_t y) { return event.probability[p][y].probability; });
    field("stderr",
          [&](std::size_t p, std::size_t y) { return event.probability[p][y].standard_error; });
    field("ci95_low",
          [&](std::size_t p, std::size_t y) { return event.probability[p][y].ci95_low; });
    field("ci95_high",
          [&](std::size_t p, std::size_t y) { return event.probability[p][y].ci95_high; });
    field("difference",
          [&](std::size_t p, std::size_t y) { return event.difference[p][y].difference; });
    field("difference_stderr",
          [&](std::size_t p, std::size_t y) { return event.difference[p][y].standard_error; });
    field("difference_ci95_low",
          [&](std::size_t p, std::size_t y) { return event.difference[p][y].ci95_low; });
    field("difference_ci95_high",
          [&](std::size_t p, std::size_t y) { return event.difference[p][y].ci95_high; });
    json << YAML::EndMap;
  }
  json << YAML::EndMap;
  out << json.c_str() << "\n";
}

}  // namespace sovrisk
