#include "libs/media/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace minitok::media {
namespace {

Status Sync(const std::filesystem::path& path, int flags) {
  const int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return InternalError("open for fsync: " + path.string());
  const int rc = fsync(fd);
  close(fd);
  if (rc != 0) return InternalError("fsync: " + path.string());
  return Ok();
}

}  // namespace

Status SniffVideoContainer(const std::string& path) {
  const Error not_video = MakeError(Code::kInvalidArgument, "the uploaded file is not a video");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InternalError("open upload: " + path);
  std::array<unsigned char, 16> head{};
  const ssize_t n = pread(fd, head.data(), head.size(), 0);
  close(fd);
  if (n < 12) return not_video;
  const auto at = [&](std::size_t offset, const char* magic) {
    return std::memcmp(head.data() + offset, magic, std::strlen(magic)) == 0;
  };
  const bool iso_media = at(4, "ftyp") || at(4, "moov") || at(4, "mdat") || at(4, "free") || at(4, "wide") ||
                         at(4, "skip");
  const bool matroska = head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3;
  const bool avi = at(0, "RIFF") && at(8, "AVI ");
  const bool transport_stream = head[0] == 0x47;
  const bool program_stream = head[0] == 0 && head[1] == 0 && head[2] == 1 && (head[3] == 0xBA || head[3] == 0xB3);
  const bool flv = at(0, "FLV");
  const bool ogg = at(0, "OggS");
  if (iso_media || matroska || avi || transport_stream || program_stream || flv || ogg) return Ok();
  return not_video;
}

Status SyncFile(const std::filesystem::path& path) { return Sync(path, O_RDONLY); }

Status SyncDirectory(const std::filesystem::path& path) { return Sync(path, O_RDONLY | O_DIRECTORY); }

}  // namespace minitok::media
