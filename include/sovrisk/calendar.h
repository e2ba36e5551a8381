#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sovrisk {

// "YYYY-MM" for a year and a month 1..12.
std::string month_label(int year, int month);

// Maps the model's month index t = 0 .. T-1 to calendar months and years.
class Calendar {
 public:
  Calendar(int start_year, int start_month, int months);

  int months() const { return months_; }
  // Calendar month of step t, 1..12.
  int month_of_year(int t) const { return (start_month_ - 1 + t) % 12 + 1; }
  int year_of(int t) const { return start_year_ + (start_month_ - 1 + t) / 12; }
  std::string label(int t) const;  // "YYYY-MM"
  std::vector<std::string> labels() const;

  // The calendar years the horizon touches, first to last.
  std::vector<int> years() const;
  // Index of the last simulated month in each of years(): "by the end of that
  // year" means up to and including this month.
  std::vector<int> last_month_of_each_year() const;

 private:
  int start_year_;
  int start_month_;
  int months_;
};

// The calendar of the horizon file `path` records as its attributes `start`
// ("YYYY-MM", year 0 to 9999) and `months` (1 to INT_MAX / 2, a bound that
// keeps the calendar's arithmetic in int). Throws InputError naming the file
// and the attribute that is not so.
Calendar recorded_calendar(const std::string& path, const std::string& start, std::uint64_t months);

}  // namespace sovrisk
