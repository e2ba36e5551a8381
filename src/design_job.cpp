#include "sovrisk/design_job.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>

#include "hdf5_support.h"
#include "run_attributes.h"
#include "sovrisk/calendar.h"
#include "sovrisk/job.h"
#include "sovrisk/outputs.h"

namespace sovrisk {

using namespace hdf5;

namespace {

// Points per worker thread between two meetings of the processes (where a
// checkpoint may be saved): at the default 2000 inner paths a point of the
// default scenario takes about 21 ms (bench/design.sh), so a chunk lasts about
// a third of a second and the threads that finish first idle little.
constexpr std::uint64_t kChunkPointsPerThread = 16;

const char* kind_name(Design::Kind kind) {
  return kind == Design::Kind::kBand ? "band" : "sensitivity";
}

// What the command that runs a design of this kind says, for messages.
std::string describe(const Design& design) {
  if (design.kind == Design::Kind::kBand) {
    return "run --outer " + std::to_string(design.size) + " --inner " +
           std::to_string(design.inner);
  }
  return "sensitivity -N " + std::to_string(design.size) + " -M " + std::to_string(design.inner) +
         " --bootstrap " + std::to_string(design.resamples);
}

// The number of points of `design` over `parameters` parameters with priors,
// without computing them; 0 if it exceeds 2^64 - 1.
std::uint64_t point_count(const Design& design, std::size_t parameters) {
  if (design.kind == Design::Kind::kBand)
    return design.size;
  const std::uint64_t factor = parameters + 2;
  return design.size > std::numeric_limits<std::uint64_t>::max() / factor ? 0
                                                                          : design.size * factor;
}

std::string shard_text(std::uint64_t shard, std::uint64_t shards) {
  return std::to_string(shard) + "/" + std::to_string(shards);
}

}  // namespace

void write_design_part(const std::string& path, const DesignPart& part) {
  const Config& config = part.config;
  const OutputSet outputs = output_set(config);
  const std::vector<int> years = calendar_of(config).years();
  write_atomically(path, [&](Writer& out) {
    const hid_t root = out.file();
    write_design_attributes(root, config,
                            part.checkpoint ? kDesignCheckpointFileType : kDesignPartFileType,
                            kDesignPartFormatVersion, outputs, part.wall_seconds, part.threads);
    write_attribute(root, "design", std::string(kind_name(part.design.kind)));
    write_attribute(root, "design_size", part.design.size, H5T_NATIVE_UINT64);
    write_attribute(root, "inner", part.design.inner, H5T_NATIVE_UINT64);
    write_attribute(root, "bootstrap_resamples", static_cast<std::int64_t>(part.design.resamples),
                    H5T_NATIVE_INT64);
    write_attribute(root, "points", point_count(part.design, config.priors.size()),
                    H5T_NATIVE_UINT64);
    write_attribute(root, "shard", part.shard, H5T_NATIVE_UINT64);
    write_attribute(root, "shards", part.shards, H5T_NATIVE_UINT64);
    write_attribute(root, "first_point", part.range.first, H5T_NATIVE_UINT64);
    write_attribute(root, "end_point", part.range.end, H5T_NATIVE_UINT64);
    out.group("/design");
    out.dataset("/design/year", H5T_NATIVE_INT, H5T_STD_I32LE, years.data(), {years.size()}, "year",
                "Calendar years of the horizon");
    const hsize_t done = part.probabilities.size();
    const hsize_t events = static_cast<hsize_t>(outputs.events);
    std::vector<double> values;
    values.reserve(done * events * years.size());
    for (const RowMajorArray& point : part.probabilities)
      values.insert(values.end(), point.data(), point.data() + point.size());
    out.doubles("/design/probability", values.data(), {done, events, years.size()}, "1",
                "P(event by the end of each year | point) of the points done, from first_point "
                "on: point x event (as the attribute events lists them) x year");
  });
}

DesignPart read_design_part(const std::string& path) {
  const InputFile in = InputFile::open(path, {kDesignPartFileType, kDesignCheckpointFileType},
                                       "sovrisk design part (run --outer --inner or "
                                       "sensitivity, with --shard or --checkpoint)",
                                       kDesignPartFormatVersion);
  DesignPart part;
  part.path = path;
  part.checkpoint = in.text("filetype") == kDesignCheckpointFileType;
  require_this_stream_format(in);
  part.config = recorded_config(path, in.text("config_yaml"), in.text("config_hash"));
  const std::string kind = in.text("design");
  if (kind != "band" && kind != "sensitivity") {
    throw InputError(path + ": attribute 'design' is '" + kind +
                     "'; expected 'band' or 'sensitivity'");
  }
  Design& design = part.design;
  design.kind = kind == "band" ? Design::Kind::kBand : Design::Kind::kSensitivity;
  design.size = in.unsigned_number("design_size");
  design.inner = in.unsigned_number("inner");
  const std::int64_t resamples = in.number("bootstrap_resamples");
  if (design.size == 0 || design.inner == 0 || resamples < 0 || resamples > 1000000) {
    throw InputError(path + ": design_size " + std::to_string(design.size) + ", inner " +
                     std::to_string(design.inner) + ", bootstrap_resamples " +
                     std::to_string(resamples) + ": no design has these");
  }
  design.resamples = static_cast<int>(resamples);
  if (design.kind == Design::Kind::kSensitivity && part.config.priors.empty())
    throw InputError(path + ": a sensitivity design of a configuration without priors");
  const std::uint64_t points = point_count(design, part.config.priors.size());
  if (points == 0 || in.unsigned_number("points") != points) {
    throw InputError(path + ": attribute 'points' is " +
                     std::to_string(in.unsigned_number("points")) + "; its design has " +
                     std::to_string(points));
  }
  part.shard = in.unsigned_number("shard");
  part.shards = in.unsigned_number("shards");
  if (part.shard < 1 || part.shard > part.shards)
    throw InputError(path + ": shard " + shard_text(part.shard, part.shards) + " is no shard");
  part.range = shard_points(points, part.shard, part.shards);
  if (in.unsigned_number("first_point") != part.range.first ||
      in.unsigned_number("end_point") != part.range.end) {
    throw InputError(path + ": points " + std::to_string(in.unsigned_number("first_point")) +
                     " to " + std::to_string(in.unsigned_number("end_point")) + " are not shard " +
                     shard_text(part.shard, part.shards) + " of " + std::to_string(points));
  }
  const OutputSet outputs = output_set(part.config);
  if (in.texts("events") != outputs.event_names())
    throw InputError(path + ": attribute 'events' does not list its configuration's events");
  const std::size_t years = calendar_of(part.config).years().size();
  const std::vector<std::size_t> shape = dataset_shape(in, path, "/design/probability");
  if (shape.size() != 3 || shape[0] > part.range.size() ||
      (!part.checkpoint && shape[0] != part.range.size()) ||
      shape[1] != static_cast<std::size_t>(outputs.events) || shape[2] != years) {
    throw InputError(path + ": dataset '/design/probability' has shape " + shape_text(shape) +
                     "; expected " + std::to_string(part.range.size()) + " points" +
                     (part.checkpoint ? " or fewer" : "") + " x " + std::to_string(outputs.events) +
                     " events x " + std::to_string(years) + " years");
  }
  // Checksummed as written, and float64: a rewritten dataset is not sovrisk's.
  const std::vector<double> values =
      in.read<double>("/design/probability", H5T_NATIVE_DOUBLE, shape, Storage{true, true});
  check_range(path, "/design/probability", values, 0, 1);
  const auto rows = static_cast<Eigen::Index>(outputs.events);
  const auto columns = static_cast<Eigen::Index>(years);
  for (std::size_t j = 0; j < shape[0]; ++j) {
    part.probabilities.push_back(
        Eigen::Map<const RowMajorArray>(values.data() + j * rows * columns, rows, columns));
  }
  part.threads = static_cast<int>(std::clamp<std::int64_t>(in.number("threads"), 0, 1 << 30));
  part.wall_seconds = in.real("wall_seconds");
  return part;
}

DesignOutcome run_design_job(const Config& config, const Design& design, const DesignPlan& plan,
                             int threads, Cluster& cluster) {
  const auto started = Clock::now();
  const bool leader = cluster.rank() == 0;
  DesignOutcome outcome;
  DesignPart& part = outcome.part;
  part.config = config;
  part.design = {design.kind, design.size, design.inner, design.resamples, {}};
  part.shard = plan.shard;
  part.shards = plan.shards;
  part.range = shard_points(design.points.size(), plan.shard, plan.shards);
  part.threads = threads * cluster.size();
  double earlier_seconds = 0;
  cluster.agree([&] {
    if (!leader || plan.resume.empty())
      return false;
    DesignPart saved = read_design_part(plan.resume);
    const auto refuse = [&](const std::string& why) {
      throw InputError("--resume " + plan.resume + ": " + why);
    };
    if (!saved.checkpoint)
      refuse("a finished shard, not a checkpoint: merge it with sovrisk merge");
    if (config_hash(saved.config) != config_hash(config))
      refuse("a checkpoint of another configuration (config_hash differs)");
    if (describe(saved.design) != describe(design))
      refuse("a checkpoint of " + describe(saved.design) + ", not of " + describe(design));
    if (saved.shard != plan.shard || saved.shards != plan.shards) {
      refuse("a checkpoint of shard " + shard_text(saved.shard, saved.shards) + ", not of " +
             shard_text(plan.shard, plan.shards));
    }
    part.probabilities = std::move(saved.probabilities);
    earlier_seconds = saved.wall_seconds;
    return false;
  });
  std::uint64_t done = part.range.first + cluster.max(part.probabilities.size());

  const auto save = [&] {
    part.checkpoint = true;
    part.wall_seconds = earlier_seconds + seconds_since(started);
    write_design_part(plan.checkpoint, part);
  };
  const std::uint64_t chunk =
      kChunkPointsPerThread * static_cast<std::uint64_t>(threads) * cluster.size();
  auto last_saved = Clock::now();
  while (done < part.range.end) {
    const PointRange next{done, std::min(part.range.end, done + chunk)};
    for (RowMajorArray& point :
         probabilities_at_points(config, design.points, next, design.inner, threads, cluster))
      part.probabilities.push_back(std::move(point));
    done = next.end;
    const bool finished = done == part.range.end;
    bool saved_now = false;
    const bool stop = cluster.agree([&] {
      if (leader && !plan.checkpoint.empty() && !finished &&
          seconds_since(last_saved) >= plan.checkpoint_every) {
        save();
        last_saved = Clock::now();
        saved_now = true;
      }
      return StopSignals::received() != 0 && !finished;
    });
    if (stop) {
      cluster.agree([&] {
        if (leader && !saved_now && !plan.checkpoint.empty())
          save();
        return false;
      });
      outcome.interrupted = true;
      outcome.signal = StopSignals::received();
      return outcome;
    }
  }
  part.checkpoint = false;
  part.wall_seconds = earlier_seconds + seconds_since(started);
  return outcome;
}

DesignPart merge_design_parts(const std::vector<std::string>& files) {
  std::vector<DesignPart> parts;
  for (const auto& file : files) {
    parts.push_back(read_design_part(file));
    if (parts.back().checkpoint) {
      throw InputError(file + ": a checkpoint, not a shard's result; continue it with --resume");
    }
  }
  const DesignPart& first = parts.front();
  const std::string first_hash = config_hash(first.config);
  for (const auto& part : parts) {
    const auto differs = [&](const std::string& what, const std::string& mine,
                             const std::string& theirs) {
      throw InputError(part.path + ": not a part of the same design as " + first.path + " (" +
                       what + " " + mine + ", not " + theirs + ")");
    };
    if (config_hash(part.config) != first_hash)
      differs("config_hash", config_hash(part.config), first_hash);
    if (describe(part.design) != describe(first.design))
      differs("design", describe(part.design), describe(first.design));
    if (part.shards != first.shards)
      differs("shards", std::to_string(part.shards), std::to_string(first.shards));
  }
  std::map<std::uint64_t, DesignPart*> by_shard;
  for (auto& part : parts) {
    const auto [known, fresh] = by_shard.emplace(part.shard, &part);
    if (!fresh) {
      throw InputError(known->second->path + " and " + part.path + " are the same shard (" +
                       shard_text(part.shard, part.shards) + ")");
    }
  }
  std::string missing;
  for (std::uint64_t shard = 1; shard <= first.shards; ++shard) {
    if (!by_shard.count(shard))
      missing += (missing.empty() ? "" : ", ") + std::to_string(shard);
  }
  if (!missing.empty()) {
    throw InputError("shard " + missing + " of " + std::to_string(first.shards) +
                     " missing: the parts cover only part of the design");
  }
  DesignPart whole;
  whole.config = first.config;
  whole.design = first.design;
  whole.range = {0, by_shard.rbegin()->second->range.end};
  for (auto& [shard, part] : by_shard) {
    for (RowMajorArray& point : part->probabilities)
      whole.probabilities.push_back(std::move(point));
    whole.threads = std::max(whole.threads, part->threads);
    whole.wall_seconds += part->wall_seconds;
  }
  return whole;
}

}  // namespace sovrisk
