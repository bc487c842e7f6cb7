#include "libs/media/probe.h"

#include <gtest/gtest.h>

namespace minitok::media {
namespace {

TEST(ParseProbeJsonTest, ReadsVideoStream) {
  auto info = ParseProbeJson(R"({"streams":[
      {"codec_type":"video","codec_name":"h264","width":320,"height":240,"disposition":{"attached_pic":0}},
      {"codec_type":"audio","codec_name":"aac"}],
    "format":{"format_name":"mov,mp4,m4a,3gp,3g2,mj2","duration":"2.000000"}})");
  ASSERT_TRUE(info.ok()) << info.error().detail;
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_EQ(info->width, 320);
  EXPECT_TRUE(info->has_audio);
  EXPECT_DOUBLE_EQ(info->duration_seconds, 2.0);
  EXPECT_EQ(ContainerTypeOf(*info).mime, "video/mp4");
}

TEST(ParseProbeJsonTest, RefusesDurationsThatAreNoNumber) {
  for (const char* duration : {"nan", "NaN", "inf", "-inf", "infinity", "1e400", "-1", "0", "garbage"}) {
    const std::string json = std::string(R"({"streams":[{"codec_type":"video","width":320,"height":240,"duration":")") +
                             duration + R"("}],"format":{"format_name":"avi","duration":")" + duration + R"("}})";
    const auto info = ParseProbeJson(json);
    ASSERT_FALSE(info.ok()) << duration;
    EXPECT_EQ(info.error().code, Code::kInvalidArgument);
    EXPECT_EQ(info.error().detail, "no duration") << duration;
  }
}

TEST(ContainerTypeOfTest, TellsWebmFromOtherMatroska) {
  ProbeInfo info;
  info.format_name = "matroska,webm";
  info.video_codec = "vp9";
  EXPECT_EQ(ContainerTypeOf(info).mime, "video/webm");
  info.video_codec = "hevc";
  EXPECT_EQ(ContainerTypeOf(info).mime, "video/x-matroska");
  EXPECT_EQ(ContainerTypeOf(info).extension, "mkv");
  info.format_name = "avi";
  EXPECT_EQ(ContainerTypeOf(info).mime, "video/x-msvideo");
}

TEST(ParseProbeJsonTest, RefusesAudioWithCoverArtImagesAndGarbage) {
  EXPECT_FALSE(ParseProbeJson(R"({"streams":[{"codec_type":"audio"},
      {"codec_type":"video","width":300,"height":300,"disposition":{"attached_pic":1}}],
      "format":{"format_name":"mp3","duration":"3.0"}})").ok());
  EXPECT_FALSE(ParseProbeJson(R"({"streams":[{"codec_type":"video","width":10,"height":10}],
      "format":{"format_name":"png_pipe","duration":"0.04"}})").ok());
  EXPECT_FALSE(ParseProbeJson("not json").ok());
  EXPECT_FALSE(ParseProbeJson(R"({"streams":[]})").ok());
}

TEST(RunProcessTest, CapturesOutputAndExitCodeAndEnforcesTimeout) {
  auto ok = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->stdout_text, "out\n");
  EXPECT_EQ(ok->stderr_text, "err\n");
  EXPECT_EQ(ok->exit_code, 3);
  auto slow = RunProcess({"/bin/sleep", "5"}, {.timeout = std::chrono::milliseconds(200)});
  ASSERT_TRUE(slow.ok());
  EXPECT_TRUE(slow->timed_out);
  EXPECT_FALSE(RunProcess({"relative"}, {}).ok());
}

}  // namespace
}  // namespace minitok::media
