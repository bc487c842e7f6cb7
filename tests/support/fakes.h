#pragma once
// In-memory stand-ins for the services other services depend on, so that each service's rules
// are tested alone. Only what dependents call is implemented; the rest fails loudly.

#include <map>
#include <mutex>

#include "services/user/user_service.h"
#include "services/video/video_service.h"

namespace minitok::testing {

class FakeUserService final : public user::UserService {
 public:
  void Add(std::int64_t id, std::string name);

  Result<std::int64_t> Register(std::string_view name, std::string_view password) override;
  Result<std::int64_t> Login(std::string_view name, std::string_view password) override;
  Result<std::vector<user::UserProfile>> GetUsers(std::span<const std::int64_t> ids) override;

 private:
  std::mutex mutex_;
  std::map<std::int64_t, user::UserProfile> users_;
};

class FakeVideoService final : public video::VideoService {
 public:
  void Add(std::int64_t id, std::int64_t author_id, video::VideoState state = video::VideoState::kReady);

  Result<video::VideoRecord> Publish(const video::PublishRequest& request) override;
  Result<video::FeedPage> Feed(std::int64_t before_ms, int limit) override;
  Result<std::vector<video::VideoRecord>> ListByAuthor(std::int64_t author_id, bool include_unready,
                                                       Page page) override;
  Result<std::vector<video::VideoRecord>> GetVideos(std::span<const std::int64_t> ids) override;
  Result<std::vector<video::WorkCount>> GetWorkCounts(std::span<const std::int64_t> user_ids) override;
  Result<video::MediaFile> FindMedia(std::string_view relative_path) override;

 private:
  std::mutex mutex_;
  std::map<std::int64_t, video::VideoRecord> videos_;
};

}  // namespace minitok::testing
