#pragma once
// File-level facts and durability for media: what a file's first bytes say it is, and fsync.

#include <filesystem>
#include <string>

#include "libs/core/result.h"

namespace minitok::media {

/// kInvalidArgument unless the file starts like a video container ffmpeg can read (MP4/MOV,
/// Matroska/WebM, AVI, MPEG-TS/PS, FLV, Ogg, 3GP). A cheap first gate before ffprobe.
Status SniffVideoContainer(const std::string& path);

/// Makes a file's content durable.
Status SyncFile(const std::filesystem::path& path);
/// Makes a folder's entries (created, renamed files) durable.
Status SyncDirectory(const std::filesystem::path& path);

}  // namespace minitok::media
