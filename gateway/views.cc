#include "gateway/views.h"

#include <algorithm>

#include "libs/cache/keyed_cache.h"

namespace minitok::gateway {
namespace {

std::vector<std::int64_t> Unique(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

UserView UnknownUser(std::int64_t id) { return UserView{.id = id, .name = "user" + std::to_string(id)}; }

std::string_view StateName(video::VideoState state) {
  switch (state) {
    case video::VideoState::kProcessing: return "processing";
    case video::VideoState::kReady: return "ready";
    case video::VideoState::kFailed: return "failed";
  }
  return "ready";
}

}  // namespace

namespace {

/// The views of the users the four lookups found, with their counters.
Result<UserViews> AssembleUsers(std::size_t count, Result<std::vector<user::UserProfile>> profiles,
                                const Result<std::vector<relation::RelationStats>>& relations,
                                const Result<std::vector<video::WorkCount>>& works,
                                const Result<std::vector<favorite::UserFavoriteStats>>& favorites) {
  if (!profiles.ok()) return std::move(profiles).error();
  if (!relations.ok()) return relations.error();
  if (!works.ok()) return works.error();
  if (!favorites.ok()) return favorites.error();
  UserViews views;
  views.reserve(count);
  for (auto& profile : *profiles) {
    views[profile.id] =
        UserView{.id = profile.id, .name = std::move(profile.name), .signature = std::move(profile.signature)};
  }
  for (const auto& r : *relations) {
    if (auto it = views.find(r.user_id); it != views.end()) {
      it->second.follow_count = r.follow_count;
      it->second.follower_count = r.follower_count;
      it->second.is_follow = r.is_follow;
    }
  }
  for (const auto& w : *works) {
    if (auto it = views.find(w.user_id); it != views.end()) it->second.work_count = w.work_count;
  }
  for (const auto& f : *favorites) {
    if (auto it = views.find(f.user_id); it != views.end()) {
      it->second.favorite_count = f.favorite_count;
      it->second.total_favorited = f.total_favorited;
    }
  }
  return views;
}

}  // namespace

Pending<UserViews> StartLoadUsers(Services& services, std::span<const std::int64_t> requested, std::int64_t viewer) {
  const auto ids = Unique({requested.begin(), requested.end()});
  if (ids.empty()) return UserViews();
  return WhenAll(services.users.StartGetUsers(ids), services.relations.StartGetStats(ids, viewer),
                 services.videos.StartGetWorkCounts(ids), services.favorites.StartGetUserStats(ids))
      .Then<UserViews>([count = ids.size()](auto all) -> Result<UserViews> {
        auto& [profiles, relations, works, favorites] = *all;
        return AssembleUsers(count, std::move(profiles), relations, works, favorites);
      });
}

Result<UserViews> LoadUsers(Services& services, std::span<const std::int64_t> ids, std::int64_t viewer) {
  return StartLoadUsers(services, ids, viewer).Get();
}

Pending<VideoViews> StartLoadVideos(Services& services, std::vector<video::VideoRecord> videos, std::int64_t viewer) {
  if (videos.empty()) return VideoViews();
  std::vector<std::int64_t> video_ids;
  std::vector<std::int64_t> author_ids;
  video_ids.reserve(videos.size());
  author_ids.reserve(videos.size());
  for (const auto& v : videos) {
    video_ids.push_back(v.id);
    author_ids.push_back(v.author_id);
  }
  // All six lookups in flight at once.
  return WhenAll(services.favorites.StartGetVideoStats(video_ids, viewer), services.comments.StartGetCounts(video_ids),
                 StartLoadUsers(services, author_ids, viewer))
      .Then<VideoViews>([videos = std::move(videos)](auto all) mutable -> Result<VideoViews> {
        auto& [favorites, comments, authors] = *all;
        if (!favorites.ok()) return std::move(favorites).error();
        if (!comments.ok()) return std::move(comments).error();
        if (!authors.ok()) return std::move(authors).error();
        // Both services answer one entry per id asked, in the order asked.
        if (favorites->size() != videos.size() || comments->size() != videos.size()) {
          return InternalError("counter lookups answered the wrong count");
        }
        return VideoViews{.videos = std::move(videos),
                          .favorites = std::move(*favorites),
                          .comments = std::move(*comments),
                          .authors = std::move(*authors)};
      });
}

Result<VideoViews> LoadVideos(Services& services, std::vector<video::VideoRecord> videos, std::int64_t viewer) {
  return StartLoadVideos(services, std::move(videos), viewer).Get();
}

namespace {

/// `is_follow_at`, when given, learns where the is_follow value starts in `out`.
void WriteFields(json::JsonWriter& out, const UserView& user, const ViewOptions& options,
                 std::size_t* is_follow_at = nullptr) {
  // Default images are built in; several looks, chosen by id, so lists are not a wall of one.
  static constexpr std::string_view kAvatars[] = {"/assets/avatar-1.png", "/assets/avatar-2.png",
                                                  "/assets/avatar-3.png", "/assets/avatar-4.png",
                                                  "/assets/avatar-5.png", "/assets/avatar-6.png"};
  out.Member("id", user.id)
      .Member("name", user.name)
      .Member("follow_count", user.follow_count)
      .Member("follower_count", user.follower_count)
      .Key("is_follow");
  if (is_follow_at != nullptr) *is_follow_at = out.size();
  out.Bool(user.is_follow)
      .MemberConcat("avatar", {options.base_url, kAvatars[static_cast<std::size_t>(user.id % 6)]})
      .MemberConcat("background_image", {options.base_url, "/assets/background.jpg"})
      .Member("signature", user.signature)
      .Member("total_favorited", user.total_favorited)
      .Member("work_count", user.work_count)
      .Member("favorite_count", user.favorite_count);
}

}  // namespace

void WriteUser(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options) {
  out.BeginObject();
  WriteUserFields(out, users, id, options);
  out.EndObject();
}

namespace {

/// Whether two views of a user render the same, is_follow aside.
bool SameProfile(const UserView& a, const UserView& b) {
  return a.id == b.id && a.follow_count == b.follow_count && a.follower_count == b.follower_count &&
         a.work_count == b.work_count && a.favorite_count == b.favorite_count &&
         a.total_favorited == b.total_favorited && a.name == b.name && a.signature == b.signature;
}

constexpr std::string_view kFalse = "false";

std::string_view BoolText(bool value) { return value ? "true" : kFalse; }

}  // namespace

struct RenderedJsonCache::User {
  UserView user;  ///< what it was rendered from, is_follow aside
  std::string base_url;
  std::string members;  ///< the object's members, without braces; is_follow written as false
  std::size_t is_follow_at = 0;

  bool RenderedFrom(const UserView& u, const std::string& url) const {
    return SameProfile(user, u) && base_url == url;
  }
};

struct RenderedJsonCache::Video {
  // What it was rendered from.
  std::int64_t id = 0;
  std::string title;
  std::string play_path;
  std::string cover_path;
  UserView author;  ///< is_follow aside
  std::int64_t favorite_count = 0;
  std::int64_t comment_count = 0;
  std::string base_url;
  // The object, with is_follow and is_favorite written as false at these offsets.
  std::string json;
  std::size_t is_follow_at = 0;
  std::size_t is_favorite_at = 0;

  bool RenderedFrom(const video::VideoRecord& v, const UserView& a, std::int64_t favorites, std::int64_t comments,
                    const std::string& url) const {
    return id == v.id && favorite_count == favorites && comment_count == comments && SameProfile(author, a) &&
           title == v.title && play_path == v.play_path && cover_path == v.cover_path && base_url == url;
  }
};

struct RenderedJsonCache::Impl {
  explicit Impl(std::size_t max_objects) : videos(max_objects), users(max_objects) {}
  mutable cache::KeyedCache<std::shared_ptr<const Video>> videos;
  mutable cache::KeyedCache<std::shared_ptr<const User>> users;
};

RenderedJsonCache::RenderedJsonCache(std::size_t max_objects) : impl_(std::make_unique<Impl>(max_objects)) {}

RenderedJsonCache::~RenderedJsonCache() = default;

// Entries are checked against their inputs when used, so any fill is safe to keep.

std::shared_ptr<const RenderedJsonCache::Video> RenderedJsonCache::FindVideo(std::int64_t video_id) const {
  return impl_->videos.Get(video_id).value_or(nullptr);
}

void RenderedJsonCache::KeepVideo(std::int64_t video_id, std::shared_ptr<const Video> rendered) {
  impl_->videos.Fill(video_id, std::move(rendered), impl_->videos.TicketFor(video_id));
}

std::shared_ptr<const RenderedJsonCache::User> RenderedJsonCache::FindUser(std::int64_t user_id) const {
  return impl_->users.Get(user_id).value_or(nullptr);
}

void RenderedJsonCache::KeepUser(std::int64_t user_id, std::shared_ptr<const User> rendered) {
  impl_->users.Fill(user_id, std::move(rendered), impl_->users.TicketFor(user_id));
}

void WriteUserFields(json::JsonWriter& out, const UserViews& users, std::int64_t id, const ViewOptions& options) {
  const auto found = users.find(id);
  const UserView unknown = found != users.end() ? UserView() : UnknownUser(id);
  const UserView& user = found != users.end() ? found->second : unknown;
  if (options.rendered == nullptr) return WriteFields(out, user, options);
  auto rendered = options.rendered->FindUser(id);
  if (rendered == nullptr || !rendered->RenderedFrom(user, options.base_url)) {
    auto fresh = std::make_shared<RenderedJsonCache::User>();
    fresh->user = user;
    fresh->user.is_follow = false;
    fresh->base_url = options.base_url;
    json::JsonWriter members;
    WriteFields(members, fresh->user, options, &fresh->is_follow_at);
    fresh->members = members.Take();
    rendered = fresh;
    options.rendered->KeepUser(id, std::move(fresh));
  }
  const std::string_view members = rendered->members;
  out.RawValue({members.substr(0, rendered->is_follow_at), BoolText(user.is_follow),
                members.substr(rendered->is_follow_at + kFalse.size())});
}

namespace {

struct VideoFields {
  const video::VideoRecord& video;
  const UserView& author;
  std::int64_t favorite_count = 0;
  std::int64_t comment_count = 0;
  bool is_favorite = false;
};

/// Writes one Video object; the offsets, when given, learn where the two per-viewer values start.
void WriteVideo(json::JsonWriter& out, const VideoFields& f, const ViewOptions& options, bool with_state,
                std::size_t* is_follow_at = nullptr, std::size_t* is_favorite_at = nullptr) {
  out.BeginObject().Member("id", f.video.id).Key("author").BeginObject();
  WriteFields(out, f.author, options, is_follow_at);
  out.EndObject()
      .MemberConcat("play_url", {options.base_url, "/media/", f.video.play_path})
      .MemberConcat("cover_url", {options.base_url, "/media/", f.video.cover_path})
      .Member("favorite_count", f.favorite_count)
      .Member("comment_count", f.comment_count)
      .Key("is_favorite");
  if (is_favorite_at != nullptr) *is_favorite_at = out.size();
  out.Bool(f.is_favorite).Member("title", f.video.title);
  if (with_state) out.Member("state", StateName(f.video.state)).Member("state_reason", f.video.state_reason);
  out.EndObject();
}

std::shared_ptr<const RenderedJsonCache::Video> Render(const VideoFields& f, const ViewOptions& options) {
  auto rendered = std::make_shared<RenderedJsonCache::Video>();
  rendered->id = f.video.id;
  rendered->title = f.video.title;
  rendered->play_path = f.video.play_path;
  rendered->cover_path = f.video.cover_path;
  rendered->author = f.author;
  rendered->favorite_count = f.favorite_count;
  rendered->comment_count = f.comment_count;
  rendered->base_url = options.base_url;
  json::JsonWriter out;
  UserView author = f.author;
  author.is_follow = false;
  WriteVideo(out, {f.video, author, f.favorite_count, f.comment_count, false}, options, false, &rendered->is_follow_at,
             &rendered->is_favorite_at);
  rendered->json = out.Take();
  return rendered;
}

}  // namespace

void WriteVideoList(json::JsonWriter& out, std::string_view key, const VideoViews& views,
                    const ViewOptions& options) {
  constexpr std::size_t kBytesPerVideo = 700;  // a video with its author, measured on seeded data
  out.Reserve(views.videos.size() * kBytesPerVideo);
  out.Key(key).BeginArray();
  for (std::size_t i = 0; i < views.videos.size(); ++i) {
    const auto& v = views.videos[i];
    const auto found = views.authors.find(v.author_id);
    const UserView unknown = found != views.authors.end() ? UserView() : UnknownUser(v.author_id);
    const UserView& author = found != views.authors.end() ? found->second : unknown;
    const VideoFields fields{v, author, views.favorites[i].favorite_count, views.comments[i].comment_count,
                             views.favorites[i].is_favorite};
    const bool with_state = options.viewer != 0 && options.viewer == v.author_id;
    if (with_state || options.rendered == nullptr) {
      WriteVideo(out, fields, options, with_state);
      continue;
    }
    auto rendered = options.rendered->FindVideo(v.id);
    if (rendered == nullptr ||
        !rendered->RenderedFrom(v, author, fields.favorite_count, fields.comment_count, options.base_url)) {
      rendered = Render(fields, options);
      options.rendered->KeepVideo(v.id, rendered);
    }
    const std::string_view json = rendered->json;
    out.RawValue({json.substr(0, rendered->is_follow_at), BoolText(author.is_follow),
                  json.substr(rendered->is_follow_at + kFalse.size(),
                              rendered->is_favorite_at - rendered->is_follow_at - kFalse.size()),
                  BoolText(fields.is_favorite), json.substr(rendered->is_favorite_at + kFalse.size())});
  }
  out.EndArray();
}

}  // namespace minitok::gateway
