#include "sovrisk/calendar.h"

#include <cstdio>

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

}  // namespace sovrisk
