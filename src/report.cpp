#include "sovrisk/report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "sovrisk/outputs.h"

namespace sovrisk {
namespace {

// A label as it reads inside a line: "Fund depletion" -> "fund depletion";
// a leading acronym ("GDP shock") keeps its capitals.
std::string in_running_text(std::string label) {
  if (label.size() > 1 && std::isupper(static_cast<unsigned char>(label[0])) &&
      !std::isupper(static_cast<unsigned char>(label[1]))) {
    label[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(label[0])));
  }
  return label;
}

std::string padded(std::string text, std::size_t width) {
  text.resize(std::max(width, text.size()), ' ');
  return text;
}

// The column of `event` in the table of `file`; a file without it is refused.
const EventProbabilities& column(const ProbabilityTable& table, const std::string& event,
                                 const ResultFile& file) {
  for (const EventProbabilities& column : table.events) {
    if (column.name == event)
      return column;
  }
  throw InputError(file.path() + ": holds no event '" + event + "'");
}

// Emits JSON through yaml-cpp: flow style with double-quoted strings is JSON.
class JsonWriter {
 public:
  JsonWriter() {
    emitter_.SetMapFormat(YAML::Flow);
    emitter_.SetSeqFormat(YAML::Flow);
    emitter_.SetStringFormat(YAML::DoubleQuoted);
    emitter_.SetDoublePrecision(12);
  }
  YAML::Emitter& operator*() { return emitter_; }
  const char* text() const { return emitter_.c_str(); }

 private:
  YAML::Emitter emitter_;
};

struct Provenance {
  std::string scenario, version, start, config_hash, created_utc;
  std::uint64_t seed, paths, months;
  double wall_seconds;
};

Provenance provenance(const ResultFile& file) {
  return {file.string_attribute("scenario"),    file.string_attribute("sovrisk_version"),
          file.string_attribute("start"),       file.string_attribute("config_hash"),
          file.string_attribute("created_utc"), file.unsigned_attribute("seed"),
          file.unsigned_attribute("paths"),     file.unsigned_attribute("months"),
          file.double_attribute("wall_seconds")};
}

}  // namespace

ProbabilityTable probability_table(const SimulationResult& result) {
  ProbabilityTable table;
  table.years = result.calendar.years();
  const auto year_ends = result.calendar.last_month_of_each_year();
  for (int e = 0; e < kEventCount; ++e) {
    table.events.push_back(
        {event_info(e).name, event_info(e).label,
         cumulative_probability(result.event_month_counts[e], result.paths, year_ends)});
  }
  return table;
}

ProbabilityTable probability_table(const ResultFile& file) {
  ProbabilityTable table;
  for (const auto year : file.integers("/time/year"))
    table.years.push_back(static_cast<int>(year));
  for (const std::string& event : file.events()) {
    const std::string group = "/" + event;
    const auto probability = file.doubles(group + "/cumulative_probability");
    const auto error = file.doubles(group + "/stderr");
    const auto low = file.doubles(group + "/ci95_low");
    const auto high = file.doubles(group + "/ci95_high");
    EventProbabilities column{event, file.event_label(event), {}};
    for (std::size_t y = 0; y < table.years.size(); ++y)
      column.by_year.push_back({probability.at(y), error.at(y), low.at(y), high.at(y)});
    table.events.push_back(std::move(column));
  }
  return table;
}

void print_probability_table(std::ostream& out, const ProbabilityTable& table) {
  // A column is as wide as an estimate, "  4.45% [  4.32%,   4.58%]", or as its heading.
  constexpr std::size_t kEstimateWidth = 26;
  std::vector<std::size_t> widths;
  out << "by end  ";
  for (const EventProbabilities& column : table.events) {
    const std::string heading = in_running_text(column.label) + " [95% CI]";
    widths.push_back(std::max(kEstimateWidth, heading.size()));
    out << padded(heading, widths.back()) << "  ";
  }
  out << "\n";
  char line[80];
  for (std::size_t y = 0; y < table.years.size(); ++y) {
    out << (std::snprintf(line, sizeof line, "%-6d", table.years[y]), line);
    for (std::size_t c = 0; c < table.events.size(); ++c) {
      const ProbabilityEstimate& p = table.events[c].by_year[y];
      std::snprintf(line, sizeof line, "%6.2f%% [%6.2f%%, %6.2f%%]", 100 * p.probability,
                    100 * p.ci95_low, 100 * p.ci95_high);
      // The last column is not padded: no trailing blanks.
      out << "  " << (c + 1 < table.events.size() ? padded(line, widths[c]) : std::string(line));
    }
    out << "\n";
  }
}

void print_summary(std::ostream& out, const ResultFile& file, ReportFormat format) {
  const Provenance p = provenance(file);
  const ProbabilityTable table = probability_table(file);
  if (format == ReportFormat::kTable) {
    out << "scenario     " << p.scenario << "\n"
        << "sovrisk      " << p.version << "\n"
        << "paths        " << p.paths << " x " << p.months << " months from " << p.start << "\n"
        << "seed         " << p.seed << "\n"
        << "config       " << p.config_hash << "\n"
        << "created      " << p.created_utc << " (" << p.wall_seconds << " s)\n\n";
    print_probability_table(out, table);
    return;
  }
  if (format == ReportFormat::kCsv) {
    out << "year,event,probability,stderr,ci95_low,ci95_high\n";
    char line[200];
    for (std::size_t y = 0; y < table.years.size(); ++y) {
      for (const EventProbabilities& column : table.events) {
        const ProbabilityEstimate& estimate = column.by_year[y];
        std::snprintf(line, sizeof line, "%d,%s,%.10g,%.10g,%.10g,%.10g\n", table.years[y],
                      column.name.c_str(), estimate.probability, estimate.standard_error,
                      estimate.ci95_low, estimate.ci95_high);
        out << line;
      }
    }
    return;
  }
  JsonWriter json;
  *json << YAML::BeginMap << YAML::Key << "scenario" << YAML::Value << p.scenario << YAML::Key
        << "sovrisk_version" << YAML::Value << p.version << YAML::Key << "seed" << YAML::Value
        << p.seed << YAML::Key << "paths" << YAML::Value << p.paths << YAML::Key << "months"
        << YAML::Value << p.months << YAML::Key << "start" << YAML::Value << p.start << YAML::Key
        << "config_hash" << YAML::Value << p.config_hash << YAML::Key << "created_utc"
        << YAML::Value << p.created_utc << YAML::Key << "wall_seconds" << YAML::Value
        << p.wall_seconds << YAML::Key << "years" << YAML::Value << YAML::Flow << table.years;
  for (const EventProbabilities& column : table.events) {
    *json << YAML::Key << column.name << YAML::Value << YAML::BeginMap;
    const char* fields[] = {"probability", "stderr", "ci95_low", "ci95_high"};
    for (int f = 0; f < 4; ++f) {
      *json << YAML::Key << fields[f] << YAML::Value << YAML::BeginSeq;
      for (const auto& estimate : column.by_year) {
        const double values[] = {estimate.probability, estimate.standard_error, estimate.ci95_low,
                                 estimate.ci95_high};
        *json << values[f];
      }
      *json << YAML::EndSeq;
    }
    *json << YAML::EndMap;
  }
  *json << YAML::EndMap;
  out << json.text() << "\n";
}

void print_comparison(std::ostream& out, const ResultFile& a, const ResultFile& b,
                      ReportFormat format) {
  // Default is the event compared; the columns and datasets read are named after it.
  const std::string event = event_name(kDefault);
  const std::string per_path = "/per_path/" + event + "_month";
  const Provenance pa = provenance(a), pb = provenance(b);
  const ProbabilityTable ta = probability_table(a), tb = probability_table(b);
  const EventProbabilities &column_a = column(ta, event, a), &column_b = column(tb, event, b);
  const bool same_calendar = pa.start == pb.start && pa.months == pb.months;
  std::string unpaired_reason;
  if (pa.seed != pb.seed || pa.paths != pb.paths) {
    unpaired_reason = "different seeds or path counts";
  } else if (!same_calendar) {
    unpaired_reason = "different start or horizon";
  } else if (!a.has(per_path) || !b.has(per_path)) {
    unpaired_reason = "a file lacks /per_path (run both with --per-path)";
  }
  std::vector<std::int32_t> months_a, months_b;
  std::vector<int> year_ends;
  if (unpaired_reason.empty()) {
    for (auto month : a.integers(per_path))
      months_a.push_back(static_cast<std::int32_t>(month));
    for (auto month : b.integers(per_path))
      months_b.push_back(static_cast<std::int32_t>(month));
    const auto labels = a.strings("/time/month");
    for (std::size_t t = 0; t < labels.size(); ++t) {
      if (t + 1 == labels.size() || labels[t + 1].substr(0, 4) != labels[t].substr(0, 4)) {
        year_ends.push_back(static_cast<int>(t));
      }
    }
  }

  struct Row {
    int year;
    double a, b;
    DifferenceEstimate difference;
  };
  std::vector<Row> rows;
  for (std::size_t ya = 0; ya < ta.years.size(); ++ya) {
    for (std::size_t yb = 0; yb < tb.years.size(); ++yb) {
      if (ta.years[ya] != tb.years[yb])
        continue;
      const ProbabilityEstimate& ea = column_a.by_year[ya];
      const ProbabilityEstimate& eb = column_b.by_year[yb];
      rows.push_back({ta.years[ya], ea.probability, eb.probability,
                      unpaired_reason.empty()
                          ? paired_difference(months_a, months_b, year_ends[ya])
                          : independent_difference(ea, pa.paths, eb, pb.paths)});
    }
  }

  if (format == ReportFormat::kJson) {
    JsonWriter json;
    *json << YAML::BeginMap << YAML::Key << "a" << YAML::Value << pa.scenario << YAML::Key << "b"
          << YAML::Value << pb.scenario << YAML::Key << "paired" << YAML::Value
          << unpaired_reason.empty() << YAML::Key << "rows" << YAML::Value << YAML::BeginSeq;
    for (const Row& row : rows) {
      *json << YAML::BeginMap << YAML::Key << "year" << YAML::Value << row.year << YAML::Key
            << event + "_a" << YAML::Value << row.a << YAML::Key << event + "_b" << YAML::Value
            << row.b << YAML::Key << "difference" << YAML::Value << row.difference.difference
            << YAML::Key << "stderr" << YAML::Value << row.difference.standard_error << YAML::Key
            << "ci95_low" << YAML::Value << row.difference.ci95_low << YAML::Key << "ci95_high"
            << YAML::Value << row.difference.ci95_high << YAML::EndMap;
    }
    *json << YAML::EndSeq << YAML::EndMap;
    out << json.text() << "\n";
    return;
  }
  char line[200];
  if (format == ReportFormat::kCsv) {
    out << "year," << event << "_a," << event << "_b,difference,stderr,ci95_low,ci95_high,paired\n";
    for (const Row& row : rows) {
      std::snprintf(line, sizeof line, "%d,%.10g,%.10g,%.10g,%.10g,%.10g,%.10g,%d\n", row.year,
                    row.a, row.b, row.difference.difference, row.difference.standard_error,
                    row.difference.ci95_low, row.difference.ci95_high,
                    row.difference.paired ? 1 : 0);
      out << line;
    }
    return;
  }
  out << "A: " << pa.scenario << " (" << pa.paths << " paths, seed " << pa.seed << ")\n"
      << "B: " << pb.scenario << " (" << pb.paths << " paths, seed " << pb.seed << ")\n"
      << (unpaired_reason.empty()
              ? "paired on common random numbers: interval from per-path differences\n"
              : "independent runs (" + unpaired_reason + "): interval from both standard errors\n")
      << "\n";
  std::snprintf(line, sizeof line, "%-6s  %9s  %9s  %9s  %-24s\n", "by end", "P(A)", "P(B)",
                "A - B", "[95% CI]");
  out << line;
  for (const Row& row : rows) {
    std::snprintf(line, sizeof line, "%-6d  %8.2f%%  %8.2f%%  %+8.2f%%  [%+7.2f%%, %+7.2f%%]\n",
                  row.year, 100 * row.a, 100 * row.b, 100 * row.difference.difference,
                  100 * row.difference.ci95_low, 100 * row.difference.ci95_high);
    out << line;
  }
}

}  // namespace sovrisk
