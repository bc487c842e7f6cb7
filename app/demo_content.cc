#include "app/demo_content.h"

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

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
constexpr const char* kMarker = ".demo-content";

}  // namespace

DemoContent::DemoContent(gateway::Services services, media::MediaTools tools, fs::path data_dir,
                         log::Logger& logger)
    : services_(services), tools_(std::move(tools)), data_dir_(std::move(data_dir)), logger_(logger) {}

DemoContent::~DemoContent() { Stop(); }

void DemoContent::StartIfEmpty() {
  if (fs::exists(data_dir_ / kMarker)) return;
  auto feed = services_.videos.Feed(INT64_MAX, 1);
  if (!feed.ok() || !feed->videos.empty()) return;
  thread_ = std::thread([this] { Seed(); });
}

void DemoContent::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void DemoContent::Seed() {
  logger_.Info("new data folder: adding demo users and videos in the background");
  if (auto seeded = SeedOrError(); !seeded.ok()) {
    logger_.Warn("demo content incomplete: " + seeded.error().message + " " + seeded.error().detail);
    return;
  }
  std::ofstream(data_dir_ / kMarker) << "demo content added\n";
  logger_.Info("demo content ready");
}

Status DemoContent::SeedOrError() {
  std::vector<std::int64_t> user_ids;
  for (const char* name : kAuthors) {
    // Demo accounts get random passwords: they exist to be watched, not logged into.
    auto id = services_.users.Register(name, security::RandomHex(12));
    if (!id.ok()) return std::move(id).error();
    user_ids.push_back(*id);
  }
  const auto user_of = [&](const char* name) {
    for (std::size_t i = 0; i < std::size(kAuthors); ++i) {
      if (std::string_view(kAuthors[i]) == name) return user_ids[i];
    }
    return user_ids.front();
  };
  std::vector<std::int64_t> video_ids;
  const fs::path scratch = data_dir_ / "tmp";
  for (const auto& clip : kClips) {
    if (stopping_) return MakeError(Code::kUnavailable, "stopped");
    const fs::path file = scratch / ("demo-" + security::RandomHex(6) + ".mp4");
    MINITOK_ASSIGN_OR_RETURN(
        const auto run,
        media::RunProcess({tools_.ffmpeg, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", clip.video_source,
                           "-f", "lavfi", "-i", "sine=frequency=" + std::to_string(clip.tone_hz) + ":sample_rate=44100",
                           "-t", "6", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-pix_fmt", "yuv420p",
                           "-c:a", "aac", "-b:a", "64k", "-movflags", "+faststart", "-shortest", file.string()},
                          {.timeout = tools_.timeout, .nice = 10}));
    if (run.exit_code != 0) {
      std::error_code ignored;
      fs::remove(file, ignored);
      return MakeError(Code::kInternal, "ffmpeg could not generate a demo clip", run.stderr_text.substr(0, 300));
    }
    auto video = services_.videos.Publish({user_of(clip.author), clip.title, file.string()});
    if (!video.ok()) {
      std::error_code ignored;
      fs::remove(file, ignored);
      return std::move(video).error();
    }
    video_ids.push_back(video->id);
  }
  // Likes and comments need visible videos: wait for the pipeline to finish the clips.
  for (bool all_ready = false; !all_ready;) {
    if (stopping_) return MakeError(Code::kUnavailable, "stopped");
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
  // A little life: everyone follows everyone, likes and comments on the others' videos.
  for (const auto follower : user_ids) {
    for (const auto followee : user_ids) {
      if (follower != followee) MINITOK_RETURN_IF_ERROR(services_.relations.Follow(follower, followee));
    }
  }
  for (std::size_t v = 0; v < video_ids.size(); ++v) {
    for (std::size_t u = 0; u < user_ids.size(); ++u) {
      if ((v + u) % 2 == 0) MINITOK_RETURN_IF_ERROR(services_.favorites.Like(user_ids[u], video_ids[v]));
    }
    MINITOK_RETURN_IF_ERROR(services_.comments.Add(user_ids[(v + 1) % user_ids.size()], video_ids[v],
                                                   v % 2 == 0 ? "Love the colours!" : "Hypnotic 😍").status());
  }
  MINITOK_RETURN_IF_ERROR(services_.messages.Send(user_ids[0], user_ids[1], "Welcome to minitok!").status());
  return Ok();
}

}  // namespace minitok::app
