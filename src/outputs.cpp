#include "sovrisk/outputs.h"

namespace sovrisk {

std::vector<std::string> OutputSet::variable_names() const {
  std::vector<std::string> names;
  for (int v = 0; v < variables; ++v)
    names.emplace_back(kVariables[v].name);
  return names;
}

std::vector<std::string> OutputSet::event_names() const {
  std::vector<std::string> names;
  for (int e = 0; e < events; ++e)
    names.emplace_back(kEvents[e].name);
  return names;
}

}  // namespace sovrisk
