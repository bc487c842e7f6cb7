#pragma once
// The services the HTTP gateway maps the Douyin API onto: the in-process implementations for
// the services its process runs, gRPC clients of the remote instances (rpc/<service>/) for the others.

#include "services/comment/comment_service.h"
#include "services/favorite/favorite_service.h"
#include "services/message/message_service.h"
#include "services/relation/relation_service.h"
#include "services/user/user_service.h"
#include "services/video/video_service.h"

namespace minitok::gateway {

struct Services {
  user::UserService& users;
  video::VideoService& videos;
  favorite::FavoriteService& favorites;
  comment::CommentService& comments;
  relation::RelationService& relations;
  message::MessageService& messages;
};

}  // namespace minitok::gateway
