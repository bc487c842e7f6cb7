#include "tests/support/fakes.h"

namespace minitok::testing {
namespace {
Error NotFaked() { return InternalError("not implemented by the fake"); }
}  // namespace

void FakeUserService::Add(std::int64_t id, std::string name) {
  std::lock_guard lock(mutex_);
  users_[id] = {id, std::move(name), ""};
}

Result<std::int64_t> FakeUserService::Register(std::string_view, std::string_view) { return NotFaked(); }
Result<std::int64_t> FakeUserService::Login(std::string_view, std::string_view) { return NotFaked(); }

Result<std::vector<user::UserProfile>> FakeUserService::GetUsers(std::span<const std::int64_t> ids) {
  std::lock_guard lock(mutex_);
  std::vector<user::UserProfile> found;
  for (const auto id : ids) {
    if (const auto it = users_.find(id); it != users_.end()) found.push_back(it->second);
  }
  return found;
}

void FakeVideoService::Add(std::int64_t id, std::int64_t author_id, video::VideoState state) {
  std::lock_guard lock(mutex_);
  video::VideoRecord record;
  record.id = id;
  record.author_id = author_id;
  record.title = "video " + std::to_string(id);
  record.state = state;
  videos_[id] = record;
}

Result<video::VideoRecord> FakeVideoService::Publish(const video::PublishRequest&) { return NotFaked(); }
Result<video::FeedPage> FakeVideoService::Feed(std::int64_t, int) { return NotFaked(); }
Result<std::vector<video::VideoRecord>> FakeVideoService::ListByAuthor(std::int64_t, bool, Page) {
  return NotFaked();
}

Result<std::vector<video::VideoRecord>> FakeVideoService::GetVideos(std::span<const std::int64_t> ids) {
  std::lock_guard lock(mutex_);
  std::vector<video::VideoRecord> found;
  for (const auto id : ids) {
    if (const auto it = videos_.find(id); it != videos_.end()) found.push_back(it->second);
  }
  return found;
}

Result<std::vector<video::WorkCount>> FakeVideoService::GetWorkCounts(std::span<const std::int64_t>) {
  return NotFaked();
}
Result<video::MediaFile> FakeVideoService::FindMedia(std::string_view) { return NotFaked(); }

}  // namespace minitok::testing
