#pragma once
// Assembling the API's User and Video objects from the services that own their fields, with a
// constant number of batched calls per response (never one call per item).

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "gateway/services.h"
#include "libs/json/json_writer.h"

namespace minitok::gateway {

struct UserView {
  std::int64_t id = 0;
  std::string name;
  std::string signature;
  std::int64_t follow_count = 0;
  std::int64_t follower_count = 0;
  bool is_follow = false;
  std::int64_t work_count = 0;
  std::int64_t favorite_count = 0;
  std::int64_t total_favorited = 0;
};

using UserViews = boost::unordered_flat_map<std::int64_t, UserView>;

/// Four batched calls (user, relation, video, favorite) for any number of ids, all in flight at once.
Pending<UserViews> StartLoadUsers(Services& services, std::span<const std::int64_t> ids, std::int64_t viewer);
Result<UserViews> LoadUsers(Services& services, std::span<const std::int64_t> ids, std::int64_t viewer);

struct VideoViews {
  std::vector<video::VideoRecord> videos;
  std::vector<favorite::VideoFavoriteStats> favorites;  ///< one per video, in order
  std::vector<comment::VideoCommentCount> comments;     ///< one per video, in order
  UserViews authors;
};

/// Two batched calls for the videos' counters plus LoadUsers for their authors, all six in flight at once.
Pending<VideoViews> StartLoadVideos(Services& services, std::vector<video::VideoRecord> videos, std::int64_t viewer);
Result<VideoViews> LoadVideos(Services& services, std::vector<video::VideoRecord> videos, std::int64_t viewer);

/// User and Video objects as rendered before. An object's JSON differs between viewers only in
/// its booleans (a user's is_follow; a video's is_favorite and its author's is_follow), so each is
/// kept rendered with those left open, together with everything it was rendered from. A later
/// response reuses it only while all of that is still equal, so no invalidation can be missed: a
/// changed counter, title or base URL simply renders anew. Thread-safe.
class RenderedJsonCache {
 public:
  /// Keeps at most `max_objects` of each kind (a video about 1 KiB, a user about 0.5 KiB).
  explicit RenderedJsonCache(std::size_t max_objects);
  ~RenderedJsonCache();
  RenderedJsonCache(const RenderedJsonCache&) = delete;
  RenderedJsonCache& operator=(const RenderedJsonCache&) = delete;

  struct Video;
  struct User;
  std::shared_ptr<const Video> FindVideo(std::int64_t video_id) const;
  void KeepVideo(std::int64_t video_id, std::shared_ptr<const Video> rendered);
  std::shared_ptr<const User> FindUser(std::int64_t user_id) const;
  void KeepUser(std::int64_t user_id, std::shared_ptr<const User> rendered);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct ViewOptions {
  std::string base_url;
  /// The author sees processing state of their own videos.
  std::int64_t viewer = 0;
  /// Where rendered objects are kept for reuse (none: every object is rendered).
  RenderedJsonCache* rendered = nullptr;
};

/// Writes the members of a User object into the object the caller has opened (so that
/// FriendUser can extend it).
void WriteUserFields(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options);
/// A whole User object. A user that LoadUsers did not find still renders, so a list never breaks.
void WriteUser(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options);
void WriteVideoList(json::JsonWriter& out, std::string_view key, const VideoViews& views,
                    const ViewOptions& options);

}  // namespace minitok::gateway
