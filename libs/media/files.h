#pragma once
// File-level facts and durability for media: what a file's first bytes say it is, and fsync.

#include <filesystem>
#include <string>

#include "libs/core/result.h"

namespace minitok::media {

/// The ffmpeg demuxer of a file whose first bytes are those of a video container on the
/// allow-list ("mov" for MP4/MOV/3GP, "matroska" for Matroska/WebM, "avi", "mpegts" for MPEG-TS
/// and M2TS, "mpeg" for MPEG-PS, "flv", "ogg"); kInvalidArgument for anything else. ffprobe and
/// ffmpeg are run with this demuxer forced, so that nothing inside a file can make them pick one
/// that opens other files or addresses (an HLS playlist, a concat list, an SDP description).
Result<std::string> SniffVideoContainer(const std::string& path);

/// Makes a file's content durable.
Status SyncFile(const std::filesystem::path& path);
/// Makes a folder's entries (created, renamed files) durable.
Status SyncDirectory(const std::filesystem::path& path);

}  // namespace minitok::media
