#include "sovrisk/outputs.h"

namespace sovrisk {

std::vector<std::string> variable_names() {
  std::vector<std::string> names;
  for (const auto& variable : kVariables)
    names.emplace_back(variable.name);
  return names;
}

std::vector<std::string> event_names() {
  std::vector<std::string> names;
  for (const auto& event : kEvents)
    names.emplace_back(event.name);
  return names;
}

}  // namespace sovrisk
