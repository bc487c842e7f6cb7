#include "gateway/views.h"

#include <algorithm>

namespace minitok::gateway {
namespace {

std::vector<std::int64_t> Unique(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string_view StateName(video::VideoState state) {
  switch (state) {
    case video::VideoState::kProcessing: return "processing";
    case video::VideoState::kReady: return "ready";
    case video::VideoState::kFailed: return "failed";
  }
  return "ready";
}

}  // namespace

Result<UserViews> LoadUsers(Services& services, std::span<const std::int64_t> requested, std::int64_t viewer) {
  const auto ids = Unique({requested.begin(), requested.end()});
  UserViews views;
  if (ids.empty()) return views;
  views.reserve(ids.size());
  MINITOK_ASSIGN_OR_RETURN(const auto profiles, services.users.GetUsers(ids));
  MINITOK_ASSIGN_OR_RETURN(const auto relations, services.relations.GetStats(ids, viewer));
  MINITOK_ASSIGN_OR_RETURN(const auto works, services.videos.GetWorkCounts(ids));
  MINITOK_ASSIGN_OR_RETURN(const auto favorites, services.favorites.GetUserStats(ids));
  for (const auto& profile : profiles) {
    views[profile.id] = UserView{.id = profile.id, .name = profile.name, .signature = profile.signature};
  }
  for (const auto& r : relations) {
    if (auto it = views.find(r.user_id); it != views.end()) {
      it->second.follow_count = r.follow_count;
      it->second.follower_count = r.follower_count;
      it->second.is_follow = r.is_follow;
    }
  }
  for (const auto& w : works) {
    if (auto it = views.find(w.user_id); it != views.end()) it->second.work_count = w.work_count;
  }
  for (const auto& f : favorites) {
    if (auto it = views.find(f.user_id); it != views.end()) {
      it->second.favorite_count = f.favorite_count;
      it->second.total_favorited = f.total_favorited;
    }
  }
  return views;
}

Result<VideoViews> LoadVideos(Services& services, std::vector<video::VideoRecord> videos, std::int64_t viewer) {
  VideoViews views;
  views.videos = std::move(videos);
  if (views.videos.empty()) return views;
  std::vector<std::int64_t> video_ids;
  std::vector<std::int64_t> author_ids;
  video_ids.reserve(views.videos.size());
  author_ids.reserve(views.videos.size());
  for (const auto& v : views.videos) {
    video_ids.push_back(v.id);
    author_ids.push_back(v.author_id);
  }
  // Both services answer one entry per id asked, in the order asked.
  MINITOK_ASSIGN_OR_RETURN(views.favorites, services.favorites.GetVideoStats(video_ids, viewer));
  MINITOK_ASSIGN_OR_RETURN(views.comments, services.comments.GetCounts(video_ids));
  if (views.favorites.size() != video_ids.size() || views.comments.size() != video_ids.size()) {
    return InternalError("counter lookups answered the wrong count");
  }
  MINITOK_ASSIGN_OR_RETURN(views.authors, LoadUsers(services, author_ids, viewer));
  return views;
}

namespace {

void WriteFields(json::JsonWriter& out, const UserView& user, const ViewOptions& options) {
  // Default images are built in; several looks, chosen by id, so lists are not a wall of one.
  static constexpr std::string_view kAvatars[] = {"/assets/avatar-1.png", "/assets/avatar-2.png",
                                                  "/assets/avatar-3.png", "/assets/avatar-4.png",
                                                  "/assets/avatar-5.png", "/assets/avatar-6.png"};
  out.Member("id", user.id)
      .Member("name", user.name)
      .Member("follow_count", user.follow_count)
      .Member("follower_count", user.follower_count)
      .Member("is_follow", user.is_follow)
      .MemberConcat("avatar", {options.base_url, kAvatars[static_cast<std::size_t>(user.id % 6)]})
      .MemberConcat("background_image", {options.base_url, "/assets/background.jpg"})
      .Member("signature", user.signature)
      .Member("total_favorited", user.total_favorited)
      .Member("work_count", user.work_count)
      .Member("favorite_count", user.favorite_count);
}

}  // namespace

void WriteUserFields(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options) {
  if (const auto found = users.find(id); found != users.end()) {
    WriteFields(out, found->second, options);
  } else {
    WriteFields(out, UserView{.id = id, .name = "user" + std::to_string(id)}, options);
  }
}

void WriteUser(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options) {
  out.BeginObject();
  WriteUserFields(out, users, id, options);
  out.EndObject();
}

void WriteVideoList(json::JsonWriter& out, std::string_view key, const VideoViews& views,
                    const ViewOptions& options) {
  constexpr std::size_t kBytesPerVideo = 700;  // a video with its author, measured on seeded data
  out.Reserve(views.videos.size() * kBytesPerVideo);
  out.Key(key).BeginArray();
  for (std::size_t i = 0; i < views.videos.size(); ++i) {
    const auto& v = views.videos[i];
    const auto& favorite = views.favorites[i];
    out.BeginObject().Member("id", v.id).Key("author");
    WriteUser(out, views.authors, v.author_id, options);
    out.MemberConcat("play_url", {options.base_url, "/media/", v.play_path})
        .MemberConcat("cover_url", {options.base_url, "/media/", v.cover_path})
        .Member("favorite_count", favorite.favorite_count)
        .Member("comment_count", views.comments[i].comment_count)
        .Member("is_favorite", favorite.is_favorite)
        .Member("title", v.title);
    if (options.viewer != 0 && options.viewer == v.author_id) {
      out.Member("state", StateName(v.state)).Member("state_reason", v.state_reason);
    }
    out.EndObject();
  }
  out.EndArray();
}

}  // namespace minitok::gateway
