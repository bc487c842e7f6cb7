#include "libs/media/probe.h"

#include <boost/json.hpp>

#include <cmath>
#include <cstdio>

namespace minitok::media {
namespace {

Error NotAVideo(std::string detail) {
  return MakeError(Code::kInvalidArgument, "the uploaded file is not a playable video",
                   std::move(detail));
}

int IntOf(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? static_cast<int>(v->as_int64()) : 0;
}

/// A finite number given as a string, else 0 ("nan", "inf" and overflowing values are no number
/// a duration could be, and would reach integer casts).
double DoubleOfString(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return 0;
  try {
    const double value = std::stod(std::string(v->as_string()));
    return std::isfinite(value) ? value : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace

Result<MediaTools> LocateMediaTools(std::chrono::milliseconds timeout) {
  MediaTools tools{FindOnPath("ffmpeg"), FindOnPath("ffprobe"), timeout};
  if (tools.ffmpeg.empty() || tools.ffprobe.empty()) {
    return MakeError(Code::kFailedPrecondition, "ffmpeg and ffprobe must be installed (apt-get install ffmpeg)");
  }
  return tools;
}

Result<ProbeInfo> ParseProbeJson(std::string_view json) {
  boost::system::error_code ec;
  const auto root = boost::json::parse(json, ec);
  if (ec || !root.is_object()) return NotAVideo("ffprobe output is not JSON");
  ProbeInfo info;
  const auto& top = root.as_object();
  if (const auto* format = top.if_contains("format"); format != nullptr && format->is_object()) {
    if (const auto* name = format->as_object().if_contains("format_name"); name && name->is_string()) {
      info.format_name = std::string(name->as_string());
    }
    info.duration_seconds = DoubleOfString(format->as_object(), "duration");
  }
  const auto* streams = top.if_contains("streams");
  if (streams == nullptr || !streams->is_array()) return NotAVideo("no streams");
  bool found_video = false;
  for (const auto& stream : streams->as_array()) {
    if (!stream.is_object()) continue;
    const auto& s = stream.as_object();
    const auto* type = s.if_contains("codec_type");
    if (type == nullptr || !type->is_string()) continue;
    if (type->as_string() == "audio") info.has_audio = true;
    if (type->as_string() != "video" || found_video) continue;
    // Cover art in audio files is a "video" stream with attached_pic set: not a video.
    if (const auto* disposition = s.if_contains("disposition"); disposition && disposition->is_object()) {
      if (IntOf(disposition->as_object(), "attached_pic") != 0) continue;
    }
    found_video = true;
    if (const auto* codec = s.if_contains("codec_name"); codec && codec->is_string()) {
      info.video_codec = std::string(codec->as_string());
    }
    info.width = IntOf(s, "width");
    info.height = IntOf(s, "height");
    if (info.duration_seconds <= 0) info.duration_seconds = DoubleOfString(s, "duration");
  }
  if (!found_video) return NotAVideo("no video stream");
  if (info.width <= 0 || info.height <= 0) return NotAVideo("video stream without dimensions");
  if (info.format_name == "image2" || info.format_name.find("_pipe") != std::string::npos ||
      info.format_name == "gif" || info.format_name == "tty") {
    return NotAVideo("image or text format " + info.format_name);
  }
  if (info.duration_seconds <= 0) return NotAVideo("no duration");
  return info;
}

void AppendUntrustedInput(std::vector<std::string>& argv, const std::string& demuxer, const std::string& path) {
  // "file:" so that no path is ever read as another protocol's URL.
  argv.insert(argv.end(), {"-protocol_whitelist", "file", "-f", demuxer, "-i", "file:" + path});
}

ResourceLimits ProbeLimits(const MediaTools& tools) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(tools.timeout).count();
  return {.cpu_seconds = static_cast<std::uint64_t>(seconds) + 1,
          .address_space_bytes = 2ull << 30,
          .file_size_bytes = 64ull << 20,
          .open_files = 64};
}

Result<ProbeInfo> ProbeVideo(const MediaTools& tools, const std::string& path, const std::string& demuxer) {
  std::vector<std::string> argv{tools.ffprobe, "-v", "error", "-print_format", "json", "-show_format",
                                "-show_streams"};
  AppendUntrustedInput(argv, demuxer, path);
  MINITOK_ASSIGN_OR_RETURN(const auto run,
                           RunProcess(argv, {.timeout = tools.timeout, .limits = ProbeLimits(tools)}));
  if (run.timed_out) return NotAVideo("ffprobe timed out");
  if (run.exit_code != 0) return NotAVideo("ffprobe failed: " + run.stderr_text.substr(0, 500));
  return ParseProbeJson(run.stdout_text);
}

Status ExtractCover(const MediaTools& tools, const std::string& input_path, const std::string& demuxer,
                    double duration_seconds, const std::string& output_path) {
  // A frame a little in, so that fade-ins do not give black covers.
  const double at = duration_seconds > 2 ? 1.0 : 0.0;
  char seek[32];
  std::snprintf(seek, sizeof seek, "%.3f", at);
  std::vector<std::string> argv{tools.ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", seek};
  AppendUntrustedInput(argv, demuxer, input_path);
  argv.insert(argv.end(), {"-frames:v", "1", "-vf", "scale='min(720,iw)':-2", "-q:v", "4", "-f", "image2", "-c:v",
                           "mjpeg", "file:" + output_path});
  MINITOK_ASSIGN_OR_RETURN(const auto run,
                           RunProcess(argv, {.timeout = tools.timeout, .limits = ProbeLimits(tools)}));
  if (run.timed_out || run.exit_code != 0) {
    return NotAVideo("cover extraction failed: " + run.stderr_text.substr(0, 500));
  }
  return Ok();
}

ContainerType ContainerTypeOf(const ProbeInfo& info) {
  const auto& f = info.format_name;
  if (f.find("mp4") != std::string::npos || f.find("mov") != std::string::npos) {
    return {"video/mp4", "mp4"};
  }
  if (f.find("matroska") != std::string::npos || f.find("webm") != std::string::npos) {
    // ffprobe names both "matroska,webm"; WebM is the subset with VP8/VP9/AV1 video.
    const auto& c = info.video_codec;
    if (c == "vp8" || c == "vp9" || c == "av1") return {"video/webm", "webm"};
    return {"video/x-matroska", "mkv"};
  }
  if (f == "avi") return {"video/x-msvideo", "avi"};
  if (f == "mpegts") return {"video/mp2t", "ts"};
  if (f.find("mpeg") != std::string::npos) return {"video/mpeg", "mpg"};
  if (f == "flv") return {"video/x-flv", "flv"};
  if (f == "ogg") return {"video/ogg", "ogv"};
  return {"application/octet-stream", "bin"};
}

}  // namespace minitok::media
