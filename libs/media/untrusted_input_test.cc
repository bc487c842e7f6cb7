// Uploads are files from strangers handed to ffmpeg: what gets past the first bytes, what a
// child process may do, and that a file naming other files or addresses makes ffprobe open none.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "libs/media/files.h"
#include "libs/media/probe.h"
#include "libs/media/process.h"

namespace minitok::media {
namespace {

namespace fs = std::filesystem;

class UntrustedInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("minitok-untrusted-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& bytes) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  fs::path dir_;
};

std::string Packets(std::size_t count, std::size_t size, std::size_t prefix) {
  std::string bytes;
  for (std::size_t i = 0; i < count; ++i) {
    std::string packet(size, '\xff');
    packet[prefix] = '\x47';
    bytes += packet;
  }
  return bytes;
}

TEST_F(UntrustedInputTest, OnlyAllowListedContainersPassAndEachNamesItsDemuxer) {
  using namespace std::string_literals;
  const std::string zeros(600, '\0');
  for (const auto& [bytes, demuxer] : {std::pair{"\0\0\0\x18" "ftypisom"s + zeros, "mov"},
                                       {"\x1a\x45\xdf\xa3"s + zeros, "matroska"},
                                       {"RIFF\x10\0\0\0AVI LIST"s + zeros, "avi"},
                                       {Packets(4, 188, 0), "mpegts"},
                                       {Packets(4, 192, 4), "mpegts"},
                                       {"\0\0\x01\xba"s + zeros, "mpeg"},
                                       {"FLV\x01\x05"s + zeros, "flv"},
                                       {"OggS"s + zeros, "ogg"}}) {
    const auto sniffed = SniffVideoContainer(Write("sample", bytes));
    ASSERT_TRUE(sniffed.ok()) << demuxer;
    EXPECT_EQ(*sniffed, demuxer);
  }

  // One 0x47 is the letter G, not a transport stream: text after it stays text.
  const std::string sdp = "G\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5004 RTP/AVP 96\r\n" + std::string(600, ' ');
  const std::string playlist = "#EXTM3U\n#EXTINF:1,\n/etc/passwd.ts\n#EXT-X-ENDLIST\n" + std::string(600, ' ');
  const std::string concat = "ffconcat version 1.0\nfile /etc/passwd\n" + std::string(600, ' ');
  for (const auto& [name, bytes] : {std::pair{"sdp.ts", sdp}, {"playlist.avi", playlist}, {"concat.mp4", concat},
                                    {"short.ts", Packets(2, 188, 0)}, {"tiny", std::string("RIFF")}}) {
    const auto sniffed = SniffVideoContainer(Write(name, bytes));
    ASSERT_FALSE(sniffed.ok()) << name << " sniffed as " << sniffed.value();
    EXPECT_EQ(sniffed.error().code, Code::kInvalidArgument) << name;
  }
}

TEST(ChildProcessTest, GetsAnEmptyEnvironmentTheLimitsAndNoCoreDumps) {
  ::setenv("MINITOK_SECRET_FOR_TEST", "must-not-leak", 1);
  auto env = RunProcess({"/usr/bin/env"}, {});
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->stdout_text, "LC_ALL=C\n");
  auto limited = RunProcess({"/bin/sh", "-c", "ulimit -t; ulimit -v; ulimit -f; ulimit -n; ulimit -c"},
                            {.limits = {.cpu_seconds = 7,
                                        .address_space_bytes = 512ull << 20,
                                        .file_size_bytes = 1ull << 20,
                                        .open_files = 32}});
  ASSERT_TRUE(limited.ok());
  // CPU seconds, address space in KiB, file size in 512-byte blocks, files, core size.
  EXPECT_EQ(limited->stdout_text, "7\n524288\n2048\n32\n0\n");
  // A child that writes past its file size limit is stopped there.
  const auto big = (fs::temp_directory_path() / ("minitok-fsize-" + std::to_string(getpid()))).string();
  auto writer = RunProcess({"/bin/dd", "if=/dev/zero", "of=" + big, "bs=1M", "count=4"},
                           {.limits = {.file_size_bytes = 1ull << 20}});
  ASSERT_TRUE(writer.ok());
  EXPECT_NE(writer->exit_code, 0);
  EXPECT_LE(fs::file_size(big), 1u << 20);
  fs::remove(big);
}

/// Records whether anyone opens a FIFO for reading, without ever blocking that reader for long.
class FifoWitness {
 public:
  explicit FifoWitness(std::string path) : path_(std::move(path)) {
    EXPECT_EQ(mkfifo(path_.c_str(), 0600), 0);
    watcher_ = std::thread([this] {
      while (!stop_) {
        // Opening the writing end without blocking succeeds only while a reader has it open.
        const int fd = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
          opened_ = true;
          close(fd);  // the reader sees the end of the file and goes on
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~FifoWitness() {
    stop_ = true;
    watcher_.join();
  }
  bool opened() const { return opened_; }

 private:
  std::string path_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> opened_{false};
  std::thread watcher_;
};

/// A TCP listener on loopback that counts connections.
class ListenerWitness {
 public:
  ListenerWitness() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(listen(fd_, 8), 0);
    socklen_t length = sizeof address;
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~ListenerWitness() { close(fd_); }
  int port() const { return port_; }
  bool contacted() const {
    pollfd ready{fd_, POLLIN, 0};
    return poll(&ready, 1, 0) > 0;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// The well-known attack: a playlist inside what claims to be a video, naming a local file and a
// loopback URL as its segments. Forced to the container its first bytes claim, ffprobe reads
// nothing but the upload itself.
TEST_F(UntrustedInputTest, APlaylistInsideAnUploadOpensNeitherTheFileNorTheAddressItNames) {
  const auto tools = LocateMediaTools(std::chrono::seconds(20));
  ASSERT_TRUE(tools.ok()) << tools.error().message;
  const std::string fifo = (dir_ / "secret.ts").string();
  FifoWitness file_witness(fifo);
  ListenerWitness address_witness;
  const std::string playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n" + fifo +
                               "\n#EXTINF:1.0,\nhttp://127.0.0.1:" + std::to_string(address_witness.port()) +
                               "/segment.ts\n#EXT-X-ENDLIST\n";
  // Padded into transport stream packets, so that it passes the first-bytes check.
  std::string disguised = Packets(4, 188, 0);
  disguised.replace(1, playlist.size() < 187 ? playlist.size() : 187, playlist.substr(0, 187));
  disguised += playlist;
  const auto upload = Write("upload.ts", disguised);
  ASSERT_EQ(SniffVideoContainer(upload).value(), "mpegts");
  const auto probed = ProbeVideo(*tools, upload, "mpegts");
  EXPECT_FALSE(probed.ok());
  const auto plain_playlist = Write("upload.m3u8", playlist);
  EXPECT_FALSE(ProbeVideo(*tools, plain_playlist, "mpegts").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(file_witness.opened()) << "ffprobe opened the file the playlist names";
  EXPECT_FALSE(address_witness.contacted()) << "ffprobe connected to the address the playlist names";

  // The witness works: ffprobe left to pick the demuxer itself follows the playlist to the file.
  const auto unforced = RunProcess({tools->ffprobe, "-v", "error", "-i", plain_playlist}, {.timeout = tools->timeout});
  ASSERT_TRUE(unforced.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(file_witness.opened()) << "the FIFO witness saw nothing even without the defence";
}

}  // namespace
}  // namespace minitok::media
