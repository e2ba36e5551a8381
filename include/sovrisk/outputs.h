#pragma once

#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

// The output registry: every monthly variable and every event the model
// reports, each described once. The writers, the readers, the command line,
// the plot tool (through the lists each file carries) and the docs test take
// names, units, labels and descriptions from here, so that adding a variable
// is its row below and the model's assignment of its value.
namespace sovrisk {

struct VariableInfo {
  const char* name;         // the dataset name in /fan, /mean, /sample_paths
  const char* units;        // also the `units` attribute of those datasets
  const char* label;        // short, for figures and tables
  const char* description;  // what it is, with its equation in docs/model.md
};

// In output order: model v1's six first, then those of model v2, which only a
// run with a model-v2 section reports (see OutputSet).
inline constexpr VariableInfo kVariables[] = {
    {"oil_price", "USD/bbl", "Oil price", "Oil price P_t (eq. 2)"},
    {"fx", "RUB/USD", "Exchange rate", "Exchange rate X_t, local currency per USD (eq. 3)"},
    {"need", "RUB bn/month", "Financing need",
     "Financing need N_t = G_t + I_t - R^og_t - R^no_t (eq. 9)"},
    {"bank_absorbed", "RUB bn/month", "Absorbed by banks",
     "New debt absorbed by banks B_t (eq. 11)"},
    {"fund", "RUB bn", "Fund balance", "Liquid fund balance F_t at the end of the month (eq. 11)"},
    {"unfinanced", "RUB bn/month", "Unfinanced need", "Unfinanced gap U_t (eq. 11)"},
    {"debt", "RUB bn", "Public debt", "Debt stock at the end of the month (eq. V8)"},
    {"debt_to_gdp", "%", "Debt / GDP", "Debt stock over annual nominal GDP, b_t (eq. V8)"},
    {"gross_need", "RUB bn/month", "Gross financing need",
     "Need plus redemptions N_t + Red_t (eq. V6)"},
    {"interest", "RUB bn/month", "Interest", "Interest paid on the debt I_t (eq. V5)"},
    {"treasury_cash", "RUB bn", "Treasury cash",
     "Treasury cash balance D_t at the end of the month (eq. V9)"},
    {"rule_transfer", "RUB bn/month", "Budget-rule transfer",
     "Oil-and-gas revenue above (+) or below (-) its base Phi_t (eq. V3)"},
    {"monetised", "RUB bn/month", "Monetised", "Central-bank financing M_t (eq. V10)"},
};
inline constexpr int kVariableCount = static_cast<int>(std::size(kVariables));

struct EventInfo {
  const char* name;         // the group name in result files, the key in tables
  const char* label;        // short, for figures and tables
  const char* description;  // the rule, with its equation in docs/model.md
};

// In output order, model v1's three first. Each event happens at most once on a path.
inline constexpr EventInfo kEvents[] = {
    {"default", "Default",
     "sovereign default: the first month with U_t > 0 and the unfinanced gap of the last 12 "
     "months above gap_threshold times annual GDP (eq. 13)"},
    {"depletion", "Fund depletion",
     "fund depletion: the first month with F_t <= fund floor (eq. 14)"},
    {"bank_crisis", "Bank crisis",
     "bank crisis: at the default month, haircut * (holdings0 + S_t) > capital + F_t (eq. 15)"},
    {"monetisation", "Monetisation", "monetisation: the first month with M_t > 0 (eq. V10)"},
    {"market_access", "Market access",
     "market access: the first month external borrowing is open (eq. V2)"},
};
inline constexpr int kEventCount = static_cast<int>(std::size(kEvents));

// What model v1 reports: the registry's first rows, for good.
inline constexpr int kModelV1Variables = 6;
inline constexpr int kModelV1Events = 3;

// The outputs of one run: the first `variables` rows of kVariables and the
// first `events` of kEvents. A config without a model-v2 section reports
// model v1's, so that its files hold exactly the datasets they always held.
struct OutputSet {
  int variables = kVariableCount;
  int events = kEventCount;

  std::vector<std::string> variable_names() const;
  std::vector<std::string> event_names() const;
  bool operator==(const OutputSet& other) const {
    return variables == other.variables && events == other.events;
  }
  bool operator!=(const OutputSet& other) const { return !(*this == other); }
};
inline constexpr OutputSet kModelV1Outputs{kModelV1Variables, kModelV1Events};
inline constexpr OutputSet kAllOutputs{kVariableCount, kEventCount};

// The index of a registered name. Used as a constant, a name that is not
// registered does not compile.
constexpr int variable_index(std::string_view name) {
  for (int v = 0; v < kVariableCount; ++v) {
    if (name == kVariables[v].name)
      return v;
  }
  throw std::invalid_argument("no output variable named " + std::string(name));
}
constexpr int event_index(std::string_view name) {
  for (int e = 0; e < kEventCount; ++e) {
    if (name == kEvents[e].name)
      return e;
  }
  throw std::invalid_argument("no event named " + std::string(name));
}

// The variables and events the model code names.
inline constexpr int kOilPrice = variable_index("oil_price");
inline constexpr int kFx = variable_index("fx");
inline constexpr int kNeed = variable_index("need");
inline constexpr int kBankAbsorbed = variable_index("bank_absorbed");
inline constexpr int kFund = variable_index("fund");
inline constexpr int kUnfinanced = variable_index("unfinanced");
inline constexpr int kDebt = variable_index("debt");
inline constexpr int kDebtToGdp = variable_index("debt_to_gdp");
inline constexpr int kGrossNeed = variable_index("gross_need");
inline constexpr int kInterest = variable_index("interest");
inline constexpr int kTreasuryCash = variable_index("treasury_cash");
inline constexpr int kRuleTransfer = variable_index("rule_transfer");
inline constexpr int kMonetised = variable_index("monetised");
inline constexpr int kDefault = event_index("default");
inline constexpr int kDepletion = event_index("depletion");
inline constexpr int kBankCrisis = event_index("bank_crisis");
inline constexpr int kMonetisation = event_index("monetisation");
inline constexpr int kMarketAccess = event_index("market_access");
static_assert(kUnfinanced == kModelV1Variables - 1 && kBankCrisis == kModelV1Events - 1,
              "model v1's outputs come first in the registry");

inline const VariableInfo& variable_info(int variable) {
  return kVariables[variable];
}
inline const EventInfo& event_info(int event) {
  return kEvents[event];
}
inline const char* event_name(int event) {
  return kEvents[event].name;
}


}  // namespace sovrisk
