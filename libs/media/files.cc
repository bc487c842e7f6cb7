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

Result<std::string> SniffVideoContainer(const std::string& path) {
  const Error not_video = MakeError(Code::kInvalidArgument, "the uploaded file is not a video");
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return InternalError("open upload: " + path);
  // Enough for three transport stream packets of either size.
  std::array<unsigned char, 3 * 192 + 4> head{};
  const ssize_t n = pread(fd, head.data(), head.size(), 0);
  close(fd);
  if (n < 12) return not_video;
  const auto size = static_cast<std::size_t>(n);
  const auto at = [&](std::size_t offset, const char* magic) {
    const std::size_t length = std::strlen(magic);
    return offset + length <= size && std::memcmp(head.data() + offset, magic, length) == 0;
  };
  // A transport stream is a run of packets that each start with the sync byte 0x47: one byte
  // alone says nothing (it is the letter 'G').
  const auto packets_at = [&](std::size_t first, std::size_t stride) {
    for (std::size_t i = 0; i < 3; ++i) {
      const std::size_t offset = first + i * stride;
      if (offset >= size || head[offset] != 0x47) return false;
    }
    return true;
  };
  if (at(4, "ftyp") || at(4, "moov") || at(4, "mdat") || at(4, "free") || at(4, "wide") || at(4, "skip")) {
    return std::string("mov");
  }
  if (head[0] == 0x1A && head[1] == 0x45 && head[2] == 0xDF && head[3] == 0xA3) return std::string("matroska");
  if (at(0, "RIFF") && at(8, "AVI ")) return std::string("avi");
  if (packets_at(0, 188) || packets_at(4, 192)) return std::string("mpegts");
  if (head[0] == 0 && head[1] == 0 && head[2] == 1 && (head[3] == 0xBA || head[3] == 0xB3)) return std::string("mpeg");
  if (at(0, "FLV\x01")) return std::string("flv");
  if (at(0, "OggS")) return std::string("ogg");
  return not_video;
}

Status SyncFile(const std::filesystem::path& path) { return Sync(path, O_RDONLY); }

Status SyncDirectory(const std::filesystem::path& path) { return Sync(path, O_RDONLY | O_DIRECTORY); }

}  // namespace minitok::media
