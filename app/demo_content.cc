#include "app/demo_content.h"

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "libs/media/files.h"
#include "libs/media/process.h"
#include "libs/security/token_codec.h"

namespace minitok::app {
namespace {

namespace fs = std::filesystem;

struct DemoClip {
  const char* author;
  const char* title;
  const char* video_source;  ///< an ffmpeg lavfi graph
  int tone_hz;
};

constexpr DemoClip kClips[] = {
    {"mina", "Colour bars at sunrise", "smptehdbars=size=540x960:rate=30", 440},
    {"leo", "Into the Mandelbrot", "mandelbrot=size=540x960:rate=30", 523},
    {"aiko", "Game of Life, live", "life=size=540x960:rate=30:mold=10:ratio=0.2:death_color=#202040:life_color=#ff2d55", 659},
    {"mina", "Test pattern groove", "testsrc2=size=540x960:rate=30", 392},
    {"leo", "Cellular automaton", "cellauto=size=540x960:rate=30:rule=110", 330},
    {"aiko", "RGB in motion", "rgbtestsrc=size=540x960:rate=30,hue=H=2*PI*t/6", 587},
};
constexpr const char* kAuthors[] = {"mina", "leo", "aiko"};
/// Written when everything is in: the folder is never seeded again.
constexpr const char* kDoneMarker = ".demo-content";
/// The journal of a seeding under way (see DemoJournal).
constexpr const char* kJournal = ".demo-content.progress";

}  // namespace

/// What demo seeding has done so far, one "key value" line per finished step, fsynced, in the
/// data folder: a start that was stopped half way resumes where it was instead of leaving a
/// half-filled feed forever.
class DemoJournal {
 public:
  explicit DemoJournal(fs::path path) : path_(std::move(path)) {
    std::ifstream in(path_);
    std::string key;
    std::int64_t value = 0;
    while (in >> key >> value) entries_[key] = value;
  }

  std::optional<std::int64_t> Get(const std::string& key) const {
    const auto found = entries_.find(key);
    return found == entries_.end() ? std::nullopt : std::optional(found->second);
  }

  Status Record(const std::string& key, std::int64_t value) {
    std::ofstream out(path_, std::ios::app);
    out << key << ' ' << value << '\n';
    out.close();
    if (!out) return InternalError("write " + path_.string());
    MINITOK_RETURN_IF_ERROR(media::SyncFile(path_));
    entries_[key] = value;
    return Ok();
  }

 private:
  fs::path path_;
  std::map<std::string, std::int64_t> entries_;
};

namespace {

/// The error that ends seeding because the server is stopping (not a failure).
Error Stopping() { return MakeError(Code::kUnavailable, "the server is stopping"); }

}  // namespace

DemoContent::DemoContent(gateway::Services services, media::MediaTools tools, fs::path data_dir, fs::path scratch_dir,
                         log::Logger& logger)
    : services_(services),
      tools_(std::move(tools)),
      data_dir_(std::move(data_dir)),
      scratch_dir_(std::move(scratch_dir)),
      logger_(logger) {}

DemoContent::~DemoContent() { Stop(); }

void DemoContent::StartIfEmpty() {
  std::error_code ec;
  if (fs::exists(data_dir_ / kDoneMarker, ec)) return;
  const bool resuming = fs::exists(data_dir_ / kJournal, ec);
  if (!resuming) {
    auto feed = services_.videos.Feed(INT64_MAX, 1);
    if (!feed.ok() || !feed->videos.empty()) return;
  }
  thread_ = std::thread([this, resuming] { Seed(resuming); });
}

void DemoContent::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void DemoContent::Seed(bool resuming) {
  logger_.Info(resuming ? "resuming the demo users and videos a previous start began, in the background"
                        : "new data folder: adding demo users and videos in the background");
  DemoJournal journal(data_dir_ / kJournal);
  if (auto seeded = SeedOrError(journal); !seeded.ok()) {
    if (stopping_) {
      logger_.Info("demo content paused because the server is stopping; it resumes at the next start");
    } else {
      const auto& error = seeded.error();
      logger_.Warn("demo content incomplete: " + error.message + (error.detail.empty() ? "" : " (" + error.detail + ")"));
    }
    return;
  }
  std::ofstream(data_dir_ / kDoneMarker) << "demo content added\n";
  std::error_code ignored;
  fs::remove(data_dir_ / kJournal, ignored);
  logger_.Info("demo content ready");
}

Status DemoContent::SeedOrError(DemoJournal& journal) {
  std::vector<std::int64_t> user_ids;
  for (const char* name : kAuthors) {
    const std::string key = std::string("user:") + name;
    if (const auto known = journal.Get(key)) {
      user_ids.push_back(*known);
      continue;
    }
    // Demo accounts get random passwords: they exist to be watched, not logged into.
    auto id = services_.users.Register(name, security::RandomHex(12));
    if (!id.ok() && id.error().code == Code::kAlreadyExists) {
      return MakeError(Code::kAlreadyExists, std::string("someone else took the demo name ") + name);
    }
    if (!id.ok()) return std::move(id).error();
    MINITOK_RETURN_IF_ERROR(journal.Record(key, *id));
    user_ids.push_back(*id);
  }
  const auto user_of = [&](const char* name) {
    for (std::size_t i = 0; i < std::size(kAuthors); ++i) {
      if (std::string_view(kAuthors[i]) == name) return user_ids[i];
    }
    return user_ids.front();
  };
  std::vector<std::int64_t> video_ids;
  for (std::size_t index = 0; index < std::size(kClips); ++index) {
    const auto& clip = kClips[index];
    const std::string key = "video:" + std::to_string(index);
    if (const auto known = journal.Get(key)) {
      video_ids.push_back(*known);
      continue;
    }
    if (stopping_) return Stopping();
    const fs::path file = scratch_dir_ / ("demo-" + security::RandomHex(6) + ".mp4");
    const auto remove_clip = [&file] {
      std::error_code ignored;
      fs::remove(file, ignored);
    };
    // Cancelled with the server: a stop never waits for a clip to finish.
    MINITOK_ASSIGN_OR_RETURN(
        const auto run,
        media::RunProcess({tools_.ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", clip.video_source,
                           "-f", "lavfi", "-i", "sine=frequency=" + std::to_string(clip.tone_hz) + ":sample_rate=44100",
                           "-t", "6", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
                           "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-shortest", file.string()},
                          {.timeout = tools_.timeout, .nice = 10, .cancel = &stopping_}));
    if (run.cancelled) {
      remove_clip();
      return Stopping();
    }
    if (run.exit_code != 0) {
      remove_clip();
      return MakeError(Code::kInternal, "ffmpeg could not generate a demo clip",
                       run.timed_out ? "it took too long" : run.stderr_text.substr(0, 300));
    }
    auto video = services_.videos.Publish({user_of(clip.author), clip.title, file.string()});
    if (!video.ok()) {
      remove_clip();
      return std::move(video).error();
    }
    MINITOK_RETURN_IF_ERROR(journal.Record(key, video->id));
    video_ids.push_back(video->id);
  }
  // Likes and comments need visible videos: wait for the pipeline to finish the clips.
  for (bool all_ready = false; !all_ready;) {
    if (stopping_) return Stopping();
    MINITOK_ASSIGN_OR_RETURN(const auto videos, services_.videos.GetVideos(video_ids));
    all_ready = true;
    for (const auto& video : videos) {
      if (video.state == video::VideoState::kFailed) {
        return MakeError(Code::kInternal, "a demo clip failed to transcode", video.state_reason);
      }
      all_ready = all_ready && video.state == video::VideoState::kReady;
    }
    if (!all_ready) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // A little life: everyone follows everyone, likes and comments on the others' videos. Follows
  // and likes are idempotent; comments and the message are journaled so that none is doubled.
  for (const auto follower : user_ids) {
    for (const auto followee : user_ids) {
      if (follower != followee) MINITOK_RETURN_IF_ERROR(services_.relations.Follow(follower, followee));
    }
  }
  for (std::size_t v = 0; v < video_ids.size(); ++v) {
    for (std::size_t u = 0; u < user_ids.size(); ++u) {
      if ((v + u) % 2 == 0) MINITOK_RETURN_IF_ERROR(services_.favorites.Like(user_ids[u], video_ids[v]));
    }
    const std::string key = "comment:" + std::to_string(v);
    if (journal.Get(key)) continue;
    if (stopping_) return Stopping();
    MINITOK_ASSIGN_OR_RETURN(const auto comment,
                             services_.comments.Add(user_ids[(v + 1) % user_ids.size()], video_ids[v],
                                                    v % 2 == 0 ? "Love the colours!" : "Hypnotic 😍"));
    MINITOK_RETURN_IF_ERROR(journal.Record(key, comment.id));
  }
  if (!journal.Get("message")) {
    MINITOK_ASSIGN_OR_RETURN(const auto message, services_.messages.Send(user_ids[0], user_ids[1], "Welcome to minitok!"));
    MINITOK_RETURN_IF_ERROR(journal.Record("message", message.id));
  }
  return Ok();
}

}  // namespace minitok::app
