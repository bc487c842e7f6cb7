#pragma once
// What ffprobe says about an upload, and the cover frame taken from it.

#include <cstdint>
#include <string>
#include <vector>

#include "libs/core/result.h"
#include "libs/media/process.h"

namespace minitok::media {

struct ProbeInfo {
  std::string format_name;  ///< ffprobe's, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm"
  std::string video_codec;
  int width = 0;
  int height = 0;
  double duration_seconds = 0;
  bool has_audio = false;
};

struct MediaTools {
  std::string ffmpeg;   ///< absolute paths
  std::string ffprobe;
  std::chrono::milliseconds timeout{60000};
};

/// Finds ffmpeg and ffprobe on PATH.
Result<MediaTools> LocateMediaTools(std::chrono::milliseconds timeout);

/// Appends to `argv` the ffmpeg/ffprobe options that read `path` with `demuxer` (from
/// SniffVideoContainer) forced and no protocol but the local file itself: the input part of
/// every command run on an upload.
void AppendUntrustedInput(std::vector<std::string>& argv, const std::string& demuxer, const std::string& path);

/// Limits for one probe or cover extraction: CPU time within the tools' timeout, 2 GiB of
/// address space, small outputs, few files.
ResourceLimits ProbeLimits(const MediaTools& tools);

/// kInvalidArgument with a message fit for the uploader when the file is not a playable video.
Result<ProbeInfo> ProbeVideo(const MediaTools& tools, const std::string& path, const std::string& demuxer);
/// Parses ffprobe's -print_format json output (exposed for tests).
Result<ProbeInfo> ParseProbeJson(std::string_view json);

/// Writes a JPEG cover (a frame near the start, at most 720 px wide) to `output_path`.
Status ExtractCover(const MediaTools& tools, const std::string& input_path, const std::string& demuxer,
                    double duration_seconds, const std::string& output_path);

/// The MIME type and file extension to serve a probed container as.
struct ContainerType {
  std::string mime;
  std::string extension;
};
ContainerType ContainerTypeOf(const ProbeInfo& info);

}  // namespace minitok::media
