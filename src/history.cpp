#include "sovrisk/history.h"

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sovrisk/calendar.h"

namespace sovrisk {
namespace {

// The values a column allows. Spending, non-oil revenue, the oil price and the
// exchange rate enter the model through logarithms, so they must be positive; a
// revenue or a capacity may be zero; a fund flow goes either way.
enum class Allowed { kPositive, kNonNegative, kAnySign };

// One observed column: where its value goes and which values make sense. The
// drivers replace a simulated value; the fund flow adds to the fund.
struct ObservedColumn {
  const char* name;
  std::optional<double> MonthObservations::*field;
  Allowed allowed;
  bool driver;
};

const std::array<ObservedColumn, 7> kObservedColumns = {{
    {"oil_price", &MonthObservations::oil_price, Allowed::kPositive, true},
    {"fx", &MonthObservations::fx, Allowed::kPositive, true},
    {"oil_gas_revenue", &MonthObservations::oil_gas_revenue, Allowed::kNonNegative, true},
    {"non_oil_revenue", &MonthObservations::non_oil_revenue, Allowed::kPositive, true},
    {"spending", &MonthObservations::spending, Allowed::kPositive, true},
    {"bank_absorption", &MonthObservations::bank_absorption, Allowed::kNonNegative, true},
    {"fund_flow", &MonthObservations::fund_flow, Allowed::kAnySign, false},
}};

constexpr const char* kMonthColumn = "month";
constexpr const char* kNoteColumn = "note";

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos)
    return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');)
    fields.push_back(trim(field));
  // getline drops an empty last field ("a,b,"); it is a field all the same.
  if (!line.empty() && line.back() == ',')
    fields.emplace_back();
  return fields;
}

std::string month_label(int month_number) {
  return sovrisk::month_label(month_number / 12, month_number % 12 + 1);
}

// Checks and collects a history file line by line. Every message names the
// file, the line and, where one is at fault, the column.
class HistoryReader {
 public:
  HistoryReader(std::string source, const ScenarioConfig& scenario)
      : source_(std::move(source)),
        start_(scenario.start_year * 12 + scenario.start_month - 1),
        months_(scenario.months) {}

  History read(const std::string& text) {
    History history;
    history.source = source_;
    history.text = text;
    history.months.resize(months_);
    std::stringstream lines(text);
    int line_number = 0;
    bool have_header = false;
    for (std::string line; std::getline(lines, line);) {
      ++line_number;
      if (!line.empty() && line.back() == '\r')
        line.pop_back();  // files written on Windows
      const std::string content = trim(line);
      if (content.empty() || content[0] == '#')
        continue;  // blank lines and comments
      if (!have_header) {
        read_header(split_fields(line), line_number);
        have_header = true;
      } else {
        read_row(split_fields(line), line_number, history);
      }
    }
    if (!have_header) {
      throw InputError(
          source_ + ": no header line; the first line must name the columns, e.g. " +
          "'month,oil_price,fx,oil_gas_revenue,non_oil_revenue,spending,bank_absorption'");
    }
    return history;
  }

 private:
  [[noreturn]] void fail(int line, const std::string& column, const std::string& message) const {
    throw InputError(source_ + ":" + std::to_string(line) + ": column '" + column +
                     "': " + message);
  }

  std::string column_name(std::size_t index) const {
    return index < header_.size() ? header_[index] : "field " + std::to_string(index + 1);
  }

  // A quoted field would need a real CSV parser (commas and quotes inside
  // fields); the history holds only months and numbers, so it is refused.
  void refuse_quotes(const std::vector<std::string>& fields, int line) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].find('"') != std::string::npos) {
        fail(line, column_name(i),
             "quoted fields are not supported; write plain values without quotes or commas");
      }
    }
  }

  void read_header(const std::vector<std::string>& fields, int line) {
    header_ = fields;
    refuse_quotes(fields, line);
    std::string allowed = kMonthColumn;
    for (const auto& column : kObservedColumns)
      allowed += std::string(", ") + column.name;
    allowed += std::string(", ") + kNoteColumn;
    bool has_month = false, has_observed = false;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& name = fields[i];
      if (name.empty())
        fail(line, "field " + std::to_string(i + 1), "empty column name in the header");
      for (std::size_t j = 0; j < i; ++j) {
        if (fields[j] == name)
          fail(line, name, "appears twice in the header");
      }
      if (name == kMonthColumn) {
        has_month = true;
        month_index_ = i;
      } else if (name != kNoteColumn) {
        const ObservedColumn* column = find_column(name);
        if (!column)
          fail(line, name, "unknown column (allowed: " + allowed + ")");
        columns_.emplace_back(i, column);
        has_observed = true;
      }
    }
    if (!has_month)
      fail(line, kMonthColumn, "missing from the header (columns allowed: " + allowed + ")");
    if (!has_observed) {
      throw InputError(source_ + ":" + std::to_string(line) +
                       ": header: no driver or fund_flow column, so nothing is observed "
                       "(columns allowed: " +
                       allowed + ")");
    }
  }

  static const ObservedColumn* find_column(const std::string& name) {
    for (const auto& column : kObservedColumns) {
      if (name == column.name)
        return &column;
    }
    return nullptr;
  }

  int parse_month(const std::string& text, int line) const {
    const bool shaped = text.size() == 7 && text[4] == '-' &&
                        text.find_first_not_of("0123456789", 0) == 4 &&
                        text.find_first_not_of("0123456789", 5) == std::string::npos;
    const int month = shaped ? std::stoi(text.substr(5)) : 0;
    if (!shaped || month < 1 || month > 12)
      fail(line, kMonthColumn, "must be a month \"YYYY-MM\", got '" + text + "'");
    return std::stoi(text.substr(0, 4)) * 12 + month - 1;
  }

  double parse_value(const std::string& text, const ObservedColumn& column, int line) const {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
      fail(line, column.name, "must be a number or empty (not observed), got '" + text + "'");
    }
    if (column.allowed == Allowed::kPositive && !(value > 0))
      fail(line, column.name, "must be > 0, got " + text);
    if (column.allowed == Allowed::kNonNegative && !(value >= 0))
      fail(line, column.name, "must be >= 0, got " + text);
    return value;
  }

  void read_row(const std::vector<std::string>& fields, int line, History& history) {
    refuse_quotes(fields, line);
    if (fields.size() != header_.size()) {
      throw InputError(source_ + ":" + std::to_string(line) + ": " + std::to_string(fields.size()) +
                       " fields, but the header has " + std::to_string(header_.size()) +
                       " (a note must not contain commas)");
    }
    const std::string& month_text = fields[month_index_];
    const int month = parse_month(month_text, line);
    if (const auto earlier = line_of_month_.find(month); earlier != line_of_month_.end()) {
      fail(line, kMonthColumn,
           month_text + " already has a row, on line " + std::to_string(earlier->second));
    }
    if (!line_of_month_.empty() && month < last_month_) {
      fail(line, kMonthColumn,
           month_text + " comes after " + month_label(last_month_) + " (line " +
               std::to_string(line_of_month_[last_month_]) +
               "); months must increase down the file");
    }
    if (month < start_) {
      fail(line, kMonthColumn,
           month_text + " is before scenario.start " + month_label(start_) +
               "; a history starts at the scenario's first month or later");
    }
    line_of_month_[month] = line;
    last_month_ = month;
    ++history.rows;
    // Every row is checked, also one past the horizon, so a bad file is refused
    // whatever horizon it is replayed over.
    MonthObservations observed;
    for (const auto& [index, column] : columns_) {
      if (!fields[index].empty())
        observed.*(column->field) = parse_value(fields[index], *column, line);
    }
    const int t = month - start_;
    if (t >= months_) {
      ++history.rows_after_horizon;
    } else {
      history.months[t] = observed;
    }
  }

  std::string source_;
  int start_;   // scenario.start as year * 12 + month - 1
  int months_;  // T
  std::vector<std::string> header_;
  std::size_t month_index_ = 0;
  std::vector<std::pair<std::size_t, const ObservedColumn*>> columns_;
  std::map<int, int> line_of_month_;  // month -> line of its row
  int last_month_ = 0;
};

}  // namespace

const std::vector<std::string>& history_driver_columns() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& column : kObservedColumns) {
      if (column.driver)
        list.emplace_back(column.name);
    }
    return list;
  }();
  return names;
}

int observed_months(const History& history, const std::string& column) {
  int count = 0;
  for (const auto& observed : kObservedColumns) {
    if (column != observed.name)
      continue;
    for (const auto& month : history.months)
      count += (month.*(observed.field)).has_value();
  }
  return count;
}

int mark_deviation_reset(History& history) {
  for (int t = static_cast<int>(history.months.size()) - 1; t >= 0; --t) {
    if (history.months[t].any()) {
      history.months[t].reset_deviations = true;
      return t;
    }
  }
  return -1;
}

History parse_history(const std::string& csv_text, const std::string& source_name,
                      const ScenarioConfig& scenario) {
  return HistoryReader(source_name, scenario).read(csv_text);
}

History load_history(const std::string& path, const ScenarioConfig& scenario) {
  return parse_history(read_input_file(path, "history"), path, scenario);
}

}  // namespace sovrisk
