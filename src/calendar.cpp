#include "sovrisk/calendar.h"

#include <charconv>
#include <climits>
#include <cstdio>

#include "sovrisk/config.h"

namespace sovrisk {

Calendar::Calendar(int start_year, int start_month, int months)
    : start_year_(start_year), start_month_(start_month), months_(months) {}

std::string month_label(int year, int month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", year, month);
  return text;
}

std::string Calendar::label(int t) const {
  return month_label(year_of(t), month_of_year(t));
}

std::vector<std::string> Calendar::labels() const {
  std::vector<std::string> out;
  for (int t = 0; t < months_; ++t)
    out.push_back(label(t));
  return out;
}

std::vector<int> Calendar::years() const {
  std::vector<int> out;
  for (int year = year_of(0); year <= year_of(months_ - 1); ++year)
    out.push_back(year);
  return out;
}

std::vector<int> Calendar::last_month_of_each_year() const {
  std::vector<int> out;
  for (int t = 0; t < months_; ++t) {
    if (t + 1 == months_ || year_of(t + 1) != year_of(t))
      out.push_back(t);
  }
  return out;
}

Calendar recorded_calendar(const std::string& path, const std::string& start,
                           std::uint64_t months) {
  int year = 0, month = 0;
  const char* end = start.data() + start.size();
  const auto year_read = std::from_chars(start.data(), end, year);
  const bool parsed = year_read.ec == std::errc() && year_read.ptr != end &&
                      *year_read.ptr == '-' &&
                      std::from_chars(year_read.ptr + 1, end, month).ptr == end;
  if (!parsed || year < 0 || year > 9999 || month < 1 || month > 12)
    throw InputError(path + ": attribute 'start' is '" + start + "'; expected a month YYYY-MM");
  if (months == 0 || months > static_cast<std::uint64_t>(INT_MAX / 2)) {
    throw InputError(path + ": attribute 'months' is " + std::to_string(months) +
                     "; expected 1 to " + std::to_string(INT_MAX / 2));
  }
  return Calendar(year, month, static_cast<int>(months));
}

}  // namespace sovrisk
