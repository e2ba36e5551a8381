#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "sovrisk/config.h"

namespace sovrisk {

// The schema of a scenario file: every scalar key once, with the field it sets,
// its unit, its validity rule and its default. read_config is a loop over it;
// docs/config.md's tables are checked against it by a test.

// A value is valid when it lies in [low, high], or in (low, high] when
// `above_low`. Bounds are doubles for every type: integer fields' bounds are
// integers well inside 2^53, so the comparison is exact.
struct Rule {
  double low;
  double high;
  bool above_low;
  const char* message;  // the error, to which ", got VALUE" is added
  const char* text;     // the rule as config.md's rule column begins
};

// Where a parameter lives in a Config, by reference: the reader sets the field
// through it, and whatever else must find the field again (the tests, draws of
// a parameter per path) uses the same function. The type of the field is the
// type of the key.
using NumberField = double& (*)(Config&);        // number: a finite double
using IntegerField = int& (*)(Config&);          // integer, bounded by its rule
using CountField = std::uint64_t& (*)(Config&);  // non-negative integer
using Field = std::variant<NumberField, IntegerField, CountField>;

// The field reached from a Config through a chain of members:
// `&member<&Config::oil, &OilConfig::p0>` is a NumberField.
template <auto... Members>
auto& member(Config& config) {
  // Spaced by hand: clang-format would glue the fold into "config.*....*Members".
  // clang-format off
  return (config .* ... .* Members);
  // clang-format on
}

inline constexpr std::nullopt_t kRequired = std::nullopt;

// Where a value is plausible, beside the rule of where it is valid: a value
// outside runs, with a warning naming the likely mistake (docs/config.md,
// "Plausible ranges"). Money may be judged against the scenario's economy: in
// shares of a month's GDP (gdp.annual0 / 12).
struct Plausible {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool of_monthly_gdp = false;
  const char* likely_cause = "";
  bool given() const { return low > -std::numeric_limits<double>::infinity() ||
                              high < std::numeric_limits<double>::infinity(); }
};

struct Parameter {
  const char* key;  // dotted path in the file: "oil.long_run_mean"
  Field field;
  const char* unit;  // as in config.md; "" for a pure number
  Rule rule;
  // What the field takes when the key is absent; none: the key is required.
  // Integer fields take it converted (it is an integer).
  std::optional<double> default_value;
  // What a row may gain later goes here with a default member initializer, so
  // that the rows without it need not change.
  Plausible plausible = {};
};

// The scalar parameters, in the order they are read (that of config.md).
const std::vector<Parameter>& parameters();

// The field of a real-valued schema key; throws std::invalid_argument for a
// key that is not one (an integer key, or none).
NumberField number_field(const std::string& key);

// Keys that no row of the schema can read, read by hand in read_config: the
// strings (`scenario.name` has a pattern, `scenario.start` sets two fields,
// `scenario.description` is free text; none would ever get a range or a
// prior), the seasonality lists, the correlation matrix and model v2's lists.
struct HandReadKey {
  const char* key;
  bool required;
};
const std::vector<HandReadKey>& hand_read_keys();

// A section that switches on a mechanism of model v2 (docs/model.md, "Model
// v2"). Left out, the mechanism is off: its keys are not read, its fields keep
// their initial values, and nothing in the file asks for them. Given, its
// keys are read like those of any section (a key without a default is
// required) and `enabled` is set.
using SwitchField = bool& (*)(Config&);
struct Mechanism {
  const char* section;
  SwitchField enabled;
};
const std::vector<Mechanism>& mechanisms();

// Whether a config switches on any part of model v2 (a mechanism's section, or
// the oil-and-gas seasonality): then the run reports v2's outputs too.
bool uses_model_v2(const Config& config);

// A mapping of the file, made of the keys above: "" (the file itself), "oil",
// "revenue", "revenue.oil_gas". A mapping is optional when every key in it has
// a default: left out, its keys take their defaults; given, it must hold all of
// them, so that half a section (a ceasefire's cut without its month) is never
// completed silently. In a mapping that is required, a key with a default may be
// left out.
struct Section {
  std::string path;
  bool optional = false;
  // The mechanism this mapping switches on, or the one it lies in; null for
  // model v1's mappings. Read only when the mechanism's section is given.
  const Mechanism* mechanism = nullptr;
  bool switches = false;                // this mapping is the mechanism's own section
  std::set<std::string> required_keys;  // names inside the mapping
  std::set<std::string> optional_keys;
  std::vector<const Parameter*> parameters;  // the rows of its own keys, in schema order
};

// The mappings, each after the one that holds it.
const std::vector<Section>& sections();

}  // namespace sovrisk
