#include "sovrisk/report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <optional>

#include "sovrisk/calendar.h"
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
  std::string label;
  std::optional<std::vector<std::string>> overrides;  // nullopt: not recorded
};

Provenance provenance(const ResultFile& file) {
  return {file.string_attribute("scenario"),
          file.string_attribute("sovrisk_version"),
          file.string_attribute("start"),
          file.string_attribute("config_hash"),
          file.string_attribute("created_utc"),
          file.unsigned_attribute("seed"),
          file.unsigned_attribute("paths"),
          file.unsigned_attribute("months"),
          file.double_attribute("wall_seconds"),
          file.label(),
          file.overrides()};
}

// "none", or the assignments as given to --set, one a line under the first.
std::string overrides_text(const std::optional<std::vector<std::string>>& overrides) {
  if (!overrides)
    return "not recorded";
  if (overrides->empty())
    return "none";
  std::string text;
  for (const auto& assignment : *overrides)
    text += (text.empty() ? "" : "\n             ") + assignment;
  return text;
}

}  // namespace

// Every length read from the file afterwards is derived from this calendar,
// never from a dataset.
Calendar checked_calendar(const ResultFile& file) {
  const std::string start = file.string_attribute("start");
  const std::uint64_t months = file.unsigned_attribute("months");
  const auto refuse = [&](const std::string& what) { throw InputError(file.path() + ": " + what); };
  int year = 0, month = 0;
  const char* end = start.data() + start.size();
  const auto year_read = std::from_chars(start.data(), end, year);
  const bool parsed = year_read.ec == std::errc() && year_read.ptr != end &&
                      *year_read.ptr == '-' &&
                      std::from_chars(year_read.ptr + 1, end, month).ptr == end;
  if (!parsed || year < 0 || year > 9999 || month < 1 || month > 12)
    refuse("attribute 'start' is '" + start + "'; expected a month YYYY-MM");
  // A bound that keeps the calendar's month and year arithmetic in int.
  if (months == 0 || months > static_cast<std::uint64_t>(INT_MAX / 2))
    refuse("attribute 'months' is " + std::to_string(months) + "; expected 1 to " +
           std::to_string(INT_MAX / 2));
  const auto shape = file.shape("/time/month");
  if (shape != std::vector<std::size_t>{months}) {
    refuse("dataset '/time/month' has " +
           (shape.size() == 1 ? std::to_string(shape[0]) + " values"
                              : std::to_string(shape.size()) + " dimensions") +
           "; expected " + std::to_string(months) + " values (attribute 'months')");
  }
  const Calendar calendar(year, month, static_cast<int>(months));
  const auto years = calendar.years();
  const auto stored = file.integers("/time/year", {years.size()});
  if (!std::equal(stored.begin(), stored.end(), years.begin())) {
    refuse("dataset '/time/year' does not list the years " + std::to_string(years.front()) +
           " to " + std::to_string(years.back()) + " of 'start' and 'months'");
  }
  return calendar;
}

namespace {

std::uint64_t checked_paths(const ResultFile& file) {
  const std::uint64_t paths = file.unsigned_attribute("paths");
  if (paths == 0)
    throw InputError(file.path() + ": attribute 'paths' is 0; expected at least one path");
  return paths;
}

// Refuses a value of `dataset` that is not a probability (NaN included) and,
// for a cumulative one, a value below the one before it.
void check_probabilities(const ResultFile& file, const std::string& dataset,
                         const std::vector<double>& values, bool cumulative) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!(values[i] >= 0 && values[i] <= 1)) {
      throw InputError(file.path() + ": dataset '" + dataset + "' holds " +
                       std::to_string(values[i]) + " at index " + std::to_string(i) +
                       "; expected a probability in [0, 1]");
    }
    if (cumulative && i > 0 && values[i] < values[i - 1]) {
      throw InputError(file.path() + ": dataset '" + dataset + "' decreases at index " +
                       std::to_string(i) + "; expected a cumulative, non-decreasing probability");
    }
  }
}

// Refuses first-event month counts that are negative or that add up to more
// than `paths` (summed without overflow).
void check_month_counts(const ResultFile& file, const std::string& dataset, std::uint64_t paths,
                        int months) {
  std::uint64_t events = 0;
  for (const std::int64_t count : file.integers(dataset, {std::size_t(months)})) {
    if (count < 0 || static_cast<std::uint64_t>(count) > paths - events) {
      throw InputError(file.path() + ": dataset '" + dataset +
                       "' counts negative paths or more paths than the file's " +
                       std::to_string(paths) + "; expected counts summing to at most 'paths'");
    }
    events += static_cast<std::uint64_t>(count);
  }
}

// The first month of the event on each path, -1 for never: exactly `paths`
// entries, each -1 or a month of the horizon.
std::vector<std::int32_t> checked_per_path_months(const ResultFile& file,
                                                  const std::string& dataset, std::uint64_t paths,
                                                  int months) {
  std::vector<std::int32_t> out;
  for (const std::int64_t month : file.integers(dataset, {std::size_t(paths)})) {
    if (month < -1 || month >= months) {
      throw InputError(file.path() + ": dataset '" + dataset + "' holds month " +
                       std::to_string(month) + "; expected -1 or a month index in [0, " +
                       std::to_string(months) + ")");
    }
    out.push_back(static_cast<std::int32_t>(month));
  }
  return out;
}

}  // namespace

ProbabilityTable probability_table(const SimulationResult& result) {
  ProbabilityTable table;
  table.years = result.calendar.years();
  const auto year_ends = result.calendar.last_month_of_each_year();
  for (int e = 0; e < result.outputs.events; ++e) {
    table.events.push_back(
        {event_info(e).name, event_info(e).label,
         cumulative_probability(result.event_month_counts[e], result.paths, year_ends)});
  }
  return table;
}

ProbabilityTable probability_table(const ResultFile& file) {
  const std::uint64_t paths = checked_paths(file);
  const Calendar calendar = checked_calendar(file);
  ProbabilityTable table;
  table.years = calendar.years();
  const std::vector<std::size_t> per_year = {table.years.size()};
  for (const std::string& event : file.events()) {
    const std::string group = "/" + event;
    const auto probability = file.doubles(group + "/cumulative_probability", per_year);
    const auto error = file.doubles(group + "/stderr", per_year);
    const auto low = file.doubles(group + "/ci95_low", per_year);
    const auto high = file.doubles(group + "/ci95_high", per_year);
    check_probabilities(file, group + "/cumulative_probability", probability, true);
    check_probabilities(file, group + "/stderr", error, false);
    check_probabilities(file, group + "/ci95_low", low, true);
    check_probabilities(file, group + "/ci95_high", high, true);
    for (std::size_t y = 0; y < per_year[0]; ++y) {
      if (!(low[y] <= probability[y] && probability[y] <= high[y])) {
        throw InputError(file.path() + ": " + group + ": the interval [ci95_low, ci95_high] of " +
                         std::to_string(table.years[y]) +
                         " does not hold cumulative_probability; expected ci95_low <= p <= "
                         "ci95_high");
      }
    }
    check_month_counts(file, group + "/month_counts", paths, calendar.months());
    EventProbabilities column{event, file.event_label(event), {}};
    for (std::size_t y = 0; y < per_year[0]; ++y)
      column.by_year.push_back({probability[y], error[y], low[y], high[y]});
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
    out << "label        " << p.label << "\n"
        << "scenario     " << p.scenario << "\n"
        << "overrides    " << overrides_text(p.overrides) << "\n"
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
  *json << YAML::BeginMap << YAML::Key << "label" << YAML::Value << p.label << YAML::Key
        << "scenario" << YAML::Value << p.scenario << YAML::Key << "overrides" << YAML::Value;
  if (p.overrides)
    *json << YAML::Flow << *p.overrides;
  else
    *json << YAML::Null;
  *json << YAML::Key << "sovrisk_version" << YAML::Value << p.version << YAML::Key << "seed"
        << YAML::Value << p.seed << YAML::Key << "paths" << YAML::Value << p.paths << YAML::Key
        << "months" << YAML::Value << p.months << YAML::Key << "start" << YAML::Value << p.start
        << YAML::Key << "config_hash" << YAML::Value << p.config_hash << YAML::Key << "created_utc"
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
    // Both files' calendars were checked by probability_table and are the same.
    const Calendar calendar = checked_calendar(a);
    year_ends = calendar.last_month_of_each_year();
    months_a = checked_per_path_months(a, per_path, pa.paths, calendar.months());
    months_b = checked_per_path_months(b, per_path, pb.paths, calendar.months());
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
    *json << YAML::BeginMap << YAML::Key << "a" << YAML::Value << pa.label << YAML::Key << "b"
          << YAML::Value << pb.label << YAML::Key << "paired" << YAML::Value
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
  out << "A: " << pa.label << " (" << pa.paths << " paths, seed " << pa.seed << ")\n"
      << "B: " << pb.label << " (" << pb.paths << " paths, seed " << pb.seed << ")\n"
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
