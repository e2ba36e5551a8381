#include "sovrisk/export.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "sovrisk/accumulators.h"
#include "sovrisk/calendar.h"
#include "sovrisk/report.h"

namespace sovrisk {
namespace {

// One cell: text, or a number already written out.
struct Cell {
  std::string text;
  bool is_text = true;
};

Cell text(std::string value) {
  return {std::move(value), true};
}

// The shortest decimal that reads back as the same double; empty for NaN and
// the infinities, which CSV writes as a missing value and JSON as null.
Cell number(double value) {
  if (!std::isfinite(value))
    return {"", false};
  char buffer[32];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, value);
  return {std::string(buffer, written.ptr), false};
}

Cell integer(long long value) {
  return {std::to_string(value), false};
}

// A cell as CSV: a text quoted as csv_text quotes it, a number as written.
std::string csv_cell(const Cell& cell) {
  return cell.is_text ? csv_text(cell.text) : cell.text;
}

std::string json_string(const std::string& value) {
  std::string quoted = "\"";
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (byte < 0x20) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", byte);
      quoted += escape;
    } else {
      quoted += c;
    }
  }
  return quoted + "\"";
}

// Writes rows of `columns` as CSV or as a JSON array of objects, one row at a time.
class TidyWriter {
 public:
  TidyWriter(std::ostream& out, ExportFormat format, std::vector<std::string> columns)
      : out_(out), format_(format), columns_(std::move(columns)) {
    if (format_ == ExportFormat::kJson) {
      out_ << "[";
      return;
    }
    for (std::size_t c = 0; c < columns_.size(); ++c)
      out_ << (c ? "," : "") << columns_[c];
    out_ << "\n";
  }

  void row(const std::vector<Cell>& cells) {
    if (format_ == ExportFormat::kCsv) {
      for (std::size_t c = 0; c < cells.size(); ++c)
        out_ << (c ? "," : "") << csv_cell(cells[c]);
      out_ << "\n";
      return;
    }
    out_ << (rows_ ? ",\n " : "\n ") << "{";
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const Cell& cell = cells[c];
      out_ << (c ? ", " : "") << json_string(columns_[c]) << ": "
           << (cell.is_text        ? json_string(cell.text)
               : cell.text.empty() ? "null"
                                   : cell.text);
    }
    out_ << "}";
    ++rows_;
  }

  void finish() {
    if (format_ == ExportFormat::kJson)
      out_ << (rows_ ? "\n]\n" : "]\n");
  }

 private:
  std::ostream& out_;
  ExportFormat format_;
  std::vector<std::string> columns_;
  std::size_t rows_ = 0;
};

// The label of the run: the root attribute `label` where the file has one,
// else the scenario's name.
std::string run_label(const ResultFile& file) {
  return file.has_attribute("label") ? file.string_attribute("label")
                                     : file.string_attribute("scenario");
}

void export_probabilities(TidyWriter& out, const ResultFile& file, const std::string& label) {
  const ProbabilityTable table = probability_table(file);
  for (const EventProbabilities& event : table.events) {
    for (std::size_t y = 0; y < table.years.size(); ++y) {
      const ProbabilityEstimate& estimate = event.by_year[y];
      out.row({text(label), text(event.name), integer(table.years[y]), number(estimate.probability),
               number(estimate.standard_error), number(estimate.ci95_low),
               number(estimate.ci95_high)});
    }
  }
}

void export_fans(TidyWriter& out, const ResultFile& file, const std::string& label) {
  const Calendar calendar = checked_calendar(file);
  const std::size_t months = calendar.months();
  const std::size_t levels = kFanLevels.size();
  for (const std::string& variable : file.variables()) {
    const auto fan = file.doubles("/fan/" + variable, {months, levels});
    const auto bound = file.doubles("/fan_error_bound/" + variable, {months});
    const std::string units = file.dataset_string_attribute("/fan/" + variable, "units");
    for (std::size_t t = 0; t < months; ++t) {
      for (std::size_t q = 0; q < levels; ++q) {
        out.row({text(label), text(variable), text(units), text(calendar.label(t)),
                 number(kFanLevels[q]), number(fan[t * levels + q]), number(bound[t])});
      }
    }
  }
}

// The fans of the paths that default by the horizon and of the others
// (/conditional), with the error bound of /fan: they share its histogram ranges.
void export_conditional(TidyWriter& out, const ResultFile& file, const std::string& label) {
  const Calendar calendar = checked_calendar(file);
  const std::size_t months = calendar.months();
  const std::size_t levels = kFanLevels.size();
  for (const char* condition : {"default", "no_default"}) {
    const std::string group = std::string("/conditional/") + condition + "/fan/";
    for (const std::string& variable : file.variables()) {
      const auto fan = file.doubles(group + variable, {months, levels});
      const auto bound = file.doubles("/fan_error_bound/" + variable, {months});
      const std::string units = file.dataset_string_attribute(group + variable, "units");
      for (std::size_t t = 0; t < months; ++t) {
        for (std::size_t q = 0; q < levels; ++q) {
          out.row({text(label), text(condition), text(variable), text(units),
                   text(calendar.label(t)), number(kFanLevels[q]), number(fan[t * levels + q]),
                   number(bound[t])});
        }
      }
    }
  }
}

void export_means(TidyWriter& out, const ResultFile& file, const std::string& label) {
  const Calendar calendar = checked_calendar(file);
  const std::size_t months = calendar.months();
  for (const std::string& variable : file.variables()) {
    const auto mean = file.doubles("/mean/" + variable, {months});
    const std::string units = file.dataset_string_attribute("/mean/" + variable, "units");
    for (std::size_t t = 0; t < months; ++t) {
      out.row({text(label), text(variable), text(units), text(calendar.label(t)), number(mean[t])});
    }
  }
}

// A group the file does not hold (/conditional before it was written), or
// one that sovrisk does not export yet: always throws.
[[noreturn]] void refuse_missing_group(const ResultFile& file, const std::string& group) {
  if (!file.has(group))
    throw InputError(file.path() + " holds no " + group + " group");
  throw InputError(file.path() + ": this sovrisk cannot export its " + group + " group");
}

}  // namespace

void export_table(std::ostream& out, const ResultFile& file, ExportTable what,
                  ExportFormat format) {
  if (what == ExportTable::kConditional && !file.has("/conditional"))
    refuse_missing_group(file, "/conditional");
  if (what == ExportTable::kSweep)
    refuse_missing_group(file, "/sweep");
  // Written out only once complete, so that a damaged file prints no half table.
  std::ostringstream table;
  const std::string label = run_label(file);
  if (what == ExportTable::kProbabilities) {
    TidyWriter writer(table, format,
                      {"label", "event", "year", "probability", "stderr", "ci95_low", "ci95_high"});
    export_probabilities(writer, file, label);
    writer.finish();
  } else if (what == ExportTable::kFans) {
    TidyWriter writer(table, format,
                      {"label", "variable", "units", "month", "quantile", "value", "error_bound"});
    export_fans(writer, file, label);
    writer.finish();
  } else if (what == ExportTable::kConditional) {
    TidyWriter writer(
        table, format,
        {"label", "condition", "variable", "units", "month", "quantile", "value", "error_bound"});
    export_conditional(writer, file, label);
    writer.finish();
  } else {
    TidyWriter writer(table, format, {"label", "variable", "units", "month", "value"});
    export_means(writer, file, label);
    writer.finish();
  }
  out << table.str();
}

}  // namespace sovrisk
