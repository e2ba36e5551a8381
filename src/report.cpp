#include "sovrisk/report.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
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

// Whether "YYYY-MM" is a December: the end of a whole calendar year.
bool ends_a_year(const std::string& through) {
  return through.compare(through.size() - 2, 2, "12") == 0;
}

// "2031-02" -> "Feb 2031".
std::string month_and_year(const std::string& through) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto dash = through.rfind('-');
  return std::string(kMonths[std::stoi(through.substr(dash + 1)) - 1]) + " " +
         through.substr(0, dash);
}

// Emits JSON through yaml-cpp (use_json_style).
class JsonWriter {
 public:
  JsonWriter() { use_json_style(emitter_); }
  YAML::Emitter& operator*() { return emitter_; }
  const char* text() const { return emitter_.c_str(); }

 private:
  YAML::Emitter emitter_;
};

struct Provenance {
  std::string scenario, version, start, config_hash, created_utc;
  std::uint64_t seed, paths, months;
  std::uint64_t stream_format;  // 1 in files before the attribute
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
          file.has_attribute("stream_format") ? file.unsigned_attribute("stream_format") : 1,
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
  const std::uint64_t months = file.unsigned_attribute("months");
  const auto refuse = [&](const std::string& what) { throw InputError(file.path() + ": " + what); };
  const Calendar calendar = recorded_calendar(file.path(), file.string_attribute("start"), months);
  const auto shape = file.shape("/time/month");
  if (shape != std::vector<std::size_t>{months}) {
    refuse("dataset '/time/month' has " +
           (shape.size() == 1 ? std::to_string(shape[0]) + " values"
                              : std::to_string(shape.size()) + " dimensions") +
           "; expected " + std::to_string(months) + " values (attribute 'months')");
  }
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
  for (const int end : year_ends)
    table.through.push_back(result.calendar.label(end));
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
  for (const int end : calendar.last_month_of_each_year())
    table.through.push_back(calendar.label(end));
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
    // The row of the year the horizon ends in is "by the end" of its last month only.
    if (!ends_a_year(table.through[y]))
      out << "  (by " << month_and_year(table.through[y]) << ", horizon ends)";
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
        << "seed         " << p.seed << " (random streams format " << p.stream_format << ")\n"
        << "config       " << p.config_hash << "\n"
        << "created      " << p.created_utc << " (" << p.wall_seconds << " s)\n\n";
    print_probability_table(out, table);
    return;
  }
  if (format == ReportFormat::kCsv) {
    out << "year,event,probability,stderr,ci95_low,ci95_high,through\n";
    char line[200];
    for (std::size_t y = 0; y < table.years.size(); ++y) {
      for (const EventProbabilities& column : table.events) {
        const ProbabilityEstimate& estimate = column.by_year[y];
        std::snprintf(line, sizeof line, "%d,%s,%.10g,%.10g,%.10g,%.10g,%s\n", table.years[y],
                      column.name.c_str(), estimate.probability, estimate.standard_error,
                      estimate.ci95_low, estimate.ci95_high, table.through[y].c_str());
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
        << YAML::Value << p.seed << YAML::Key << "stream_format" << YAML::Value << p.stream_format
        << YAML::Key << "paths" << YAML::Value << p.paths << YAML::Key << "months" << YAML::Value
        << p.months << YAML::Key << "start" << YAML::Value << p.start << YAML::Key << "config_hash"
        << YAML::Value << p.config_hash << YAML::Key << "created_utc" << YAML::Value
        << p.created_utc << YAML::Key << "wall_seconds" << YAML::Value << p.wall_seconds
        << YAML::Key << "years" << YAML::Value << YAML::Flow << table.years << YAML::Key
        << "through" << YAML::Value << YAML::Flow << table.through;
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

namespace {

// A result file as compare reads it, checked once.
struct ComparedRun {
  const ResultFile& file;
  Provenance provenance;
  Calendar calendar;
  ProbabilityTable table;
  std::string letter;  // "A", "B", ...: the run's name in the table's headings
};

// Months since year 0 of the model's month t, so that months of two calendars compare.
int absolute_month(const Calendar& calendar, int t) {
  return calendar.year_of(t) * 12 + calendar.month_of_year(t) - 1;
}

enum class Method { kPairedExact, kIndependentConservative, kIndependent };

const char* method_name(Method method) {
  switch (method) {
    case Method::kPairedExact:
      return "paired-exact";
    case Method::kIndependentConservative:
      return "independent-conservative";
    case Method::kIndependent:
      break;
  }
  return "independent";
}

// One event and year of a pair: both probabilities by `through`, the end of
// the year or the earlier of the two horizons' ends within it.
struct ComparisonRow {
  std::string event;
  int year;
  std::string through;       // "YYYY-MM"
  std::string horizon_ends;  // "": a whole year; else whose horizon ends in it
  double p_reference, p_other;
  DifferenceEstimate difference;  // other - reference
};

struct Pair {
  const ComparedRun& reference;
  const ComparedRun& other;
  Method method;
  std::string reason;  // why not paired exactly; empty when it is
  std::vector<std::string> only_in_reference, only_in_other;
  std::vector<ComparisonRow> rows;
};

std::vector<std::string> events_not_in(const ResultFile& file, const ResultFile& other) {
  std::vector<std::string> missing;
  const std::vector<std::string> held = other.events();
  for (const std::string& event : file.events()) {
    if (std::find(held.begin(), held.end(), event) == held.end())
      missing.push_back(event);
  }
  return missing;
}

// P(event by month index `by`, counted from the file's start), from the
// first-event counts probability_table checked.
ProbabilityEstimate probability_by(const ComparedRun& run, const std::string& event, int by) {
  const auto counts =
      run.file.integers("/" + event + "/month_counts", {std::size_t(run.calendar.months())});
  std::uint64_t events = 0;
  for (int t = 0; t <= by; ++t)
    events += static_cast<std::uint64_t>(counts[t]);
  return estimate_probability(events, run.provenance.paths);
}

Pair compare_pair(const ComparedRun& reference, const ComparedRun& other) {
  Pair pair{reference,
            other,
            Method::kPairedExact,
            "",
            events_not_in(reference.file, other.file),
            events_not_in(other.file, reference.file),
            {}};
  const Provenance &r = reference.provenance, &o = other.provenance;
  std::vector<std::string> common;
  for (const std::string& event : reference.file.events()) {
    if (std::find(pair.only_in_reference.begin(), pair.only_in_reference.end(), event) ==
        pair.only_in_reference.end())
      common.push_back(event);
  }
  if (common.empty()) {
    throw InputError(reference.file.path() + " and " + other.file.path() +
                     ": no event in both files; nothing to compare");
  }
  // A run with --per-path stores every event's months: a /per_path group that lacks one
  // is damaged, and reading it refuses the file.
  const auto lacks_per_path = [](const ResultFile& file) { return !file.has("/per_path"); };
  if (r.seed != o.seed) {
    pair.method = Method::kIndependent;
    pair.reason = "different seeds";
  } else {
    pair.method = Method::kIndependentConservative;
    if (r.paths != o.paths)
      pair.reason = "different path counts";
    else if (r.start != o.start)
      pair.reason = "different starts";
    else if (lacks_per_path(reference.file) || lacks_per_path(other.file))
      pair.reason = "a file lacks /per_path (run both with --per-path for the exact interval)";
    else
      pair.method = Method::kPairedExact;
  }

  const auto reference_ends = reference.calendar.last_month_of_each_year();
  const auto other_ends = other.calendar.last_month_of_each_year();
  const int reference_first = absolute_month(reference.calendar, 0);
  const int other_first = absolute_month(other.calendar, 0);
  const int reference_last = absolute_month(reference.calendar, reference.calendar.months() - 1);
  const int other_last = absolute_month(other.calendar, other.calendar.months() - 1);
  for (const std::string& event : common) {
    const std::string per_path = "/per_path/" + event + "_month";
    std::vector<std::int32_t> reference_months, other_months;
    if (pair.method == Method::kPairedExact) {
      reference_months =
          checked_per_path_months(reference.file, per_path, r.paths, reference.calendar.months());
      other_months =
          checked_per_path_months(other.file, per_path, o.paths, other.calendar.months());
    }
    for (std::size_t yr = 0; yr < reference.table.years.size(); ++yr) {
      const auto yo =
          std::find(other.table.years.begin(), other.table.years.end(), reference.table.years[yr]) -
          other.table.years.begin();
      if (yo == std::ptrdiff_t(other.table.years.size()))
        continue;
      const int through = std::min(absolute_month(reference.calendar, reference_ends[yr]),
                                   absolute_month(other.calendar, other_ends[yo]));
      // A year one run ends in before the other starts: no month both cover.
      if (through < reference_first || through < other_first)
        continue;
      const int by_reference = through - reference_first, by_other = through - other_first;
      const ProbabilityEstimate p_reference = probability_by(reference, event, by_reference);
      const ProbabilityEstimate p_other = probability_by(other, event, by_other);
      ComparisonRow row{event,
                        reference.table.years[yr],
                        month_label(through / 12, through % 12 + 1),
                        "",
                        p_reference.probability,
                        p_other.probability,
                        pair.method == Method::kPairedExact
                            ? paired_difference(other_months, reference_months, by_other)
                            : independent_difference(p_other, o.paths, p_reference, r.paths)};
      if (!ends_a_year(row.through)) {
        const bool reference_ends_here = through == reference_last;
        const bool other_ends_here = through == other_last;
        row.horizon_ends = reference_ends_here && other_ends_here ? ""
                           : reference_ends_here                  ? reference.letter + "'s "
                                                                  : other.letter + "'s ";
      }
      pair.rows.push_back(std::move(row));
    }
  }
  return pair;
}

std::string method_text(const Pair& pair) {
  switch (pair.method) {
    case Method::kPairedExact:
      return "paired on common random numbers (same seed, paths and start, both with "
             "--per-path): interval from per-path differences";
    case Method::kIndependentConservative:
      return "the same seed, so the runs share their random numbers, but " + pair.reason +
             ": the interval treats them as independent and is conservative (too wide) for runs "
             "that move together";
    case Method::kIndependent:
      break;
  }
  return "independent runs (" + pair.reason + "): interval from both standard errors";
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

void print_pair_table(std::ostream& out, const Pair& pair) {
  const std::string& r = pair.reference.letter;
  const std::string& o = pair.other.letter;
  out << "\n" << o << " - " << r << ": " << method_text(pair) << "\n";
  if (!pair.only_in_reference.empty() || !pair.only_in_other.empty()) {
    out << "not compared:";
    if (!pair.only_in_reference.empty())
      out << " only in " << r << ": " << joined(pair.only_in_reference) << ";";
    if (!pair.only_in_other.empty())
      out << " only in " << o << ": " << joined(pair.only_in_other) << ";";
    out << "\n";
  }
  char line[200];
  std::string event;
  for (const ComparisonRow& row : pair.rows) {
    if (row.event != event) {
      event = row.event;
      out << "\n" << pair.reference.file.event_label(event) << "\n";
      std::snprintf(line, sizeof line, "%-6s  %9s  %9s  %9s  [95%% CI]\n", "by end",
                    ("P(" + r + ")").c_str(), ("P(" + o + ")").c_str(), (o + " - " + r).c_str());
      out << line;
    }
    std::snprintf(line, sizeof line, "%-6d  %8.2f%%  %8.2f%%  %+8.2f%%  [%+7.2f%%, %+7.2f%%]",
                  row.year, 100 * row.p_reference, 100 * row.p_other,
                  100 * row.difference.difference, 100 * row.difference.ci95_low,
                  100 * row.difference.ci95_high);
    out << line;
    if (!ends_a_year(row.through))
      out << "  (by " << month_and_year(row.through) << ", " << row.horizon_ends << "horizon ends)";
    out << "\n";
  }
}

}  // namespace

void print_comparison(std::ostream& out, const std::vector<const ResultFile*>& files,
                      std::size_t reference, ReportFormat format) {
  std::vector<ComparedRun> runs;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const ResultFile& file = *files[i];
    ProbabilityTable table = probability_table(file);
    runs.push_back({file, provenance(file), checked_calendar(file), std::move(table),
                    i < 26 ? std::string(1, char('A' + i)) : "#" + std::to_string(i + 1)});
  }
  std::vector<Pair> pairs;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i != reference)
      pairs.push_back(compare_pair(runs[reference], runs[i]));
  }

  if (format == ReportFormat::kTable) {
    for (const ComparedRun& run : runs) {
      const Provenance& p = run.provenance;
      out << run.letter << ": " << p.label << " (" << p.paths << " paths, seed " << p.seed << ", "
          << p.start << " to " << run.calendar.label(run.calendar.months() - 1) << ")"
          << (&run == &runs[reference] ? ", the reference" : "") << "\n";
    }
    for (const Pair& pair : pairs)
      print_pair_table(out, pair);
    return;
  }
  static const char* const kColumns[] = {"reference", "other",       "event",     "year",
                                         "through",   "p_reference", "p_other",   "difference",
                                         "stderr",    "ci95_low",    "ci95_high", "method"};
  if (format == ReportFormat::kCsv) {
    for (const char* column : kColumns)
      out << (column == kColumns[0] ? "" : ",") << column;
    out << "\n";
    char numbers[200];
    for (const Pair& pair : pairs) {
      for (const ComparisonRow& row : pair.rows) {
        std::snprintf(numbers, sizeof numbers, "%.10g,%.10g,%.10g,%.10g,%.10g,%.10g",
                      row.p_reference, row.p_other, row.difference.difference,
                      row.difference.standard_error, row.difference.ci95_low,
                      row.difference.ci95_high);
        out << csv_text(pair.reference.provenance.label) << ","
            << csv_text(pair.other.provenance.label) << "," << row.event << "," << row.year << ","
            << row.through << "," << numbers << "," << method_name(pair.method) << "\n";
      }
    }
    return;
  }
  JsonWriter json;
  *json << YAML::BeginSeq;
  for (const Pair& pair : pairs) {
    for (const ComparisonRow& row : pair.rows) {
      *json << YAML::BeginMap << YAML::Key << kColumns[0] << YAML::Value
            << pair.reference.provenance.label << YAML::Key << kColumns[1] << YAML::Value
            << pair.other.provenance.label << YAML::Key << kColumns[2] << YAML::Value << row.event
            << YAML::Key << kColumns[3] << YAML::Value << row.year << YAML::Key << kColumns[4]
            << YAML::Value << row.through << YAML::Key << kColumns[5] << YAML::Value
            << row.p_reference << YAML::Key << kColumns[6] << YAML::Value << row.p_other
            << YAML::Key << kColumns[7] << YAML::Value << row.difference.difference << YAML::Key
            << kColumns[8] << YAML::Value << row.difference.standard_error << YAML::Key
            << kColumns[9] << YAML::Value << row.difference.ci95_low << YAML::Key << kColumns[10]
            << YAML::Value << row.difference.ci95_high << YAML::Key << kColumns[11] << YAML::Value
            << method_name(pair.method) << YAML::EndMap;
    }
  }
  *json << YAML::EndSeq;
  out << json.text() << "\n";
}

void use_json_style(YAML::Emitter& emitter) {
  emitter.SetMapFormat(YAML::Flow);
  emitter.SetSeqFormat(YAML::Flow);
  emitter.SetStringFormat(YAML::DoubleQuoted);
  emitter.SetDoublePrecision(12);
}

std::string csv_text(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos)
    return text;
  std::string quoted = "\"";
  for (const char c : text)
    quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace sovrisk
