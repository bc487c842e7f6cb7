// One function per Douyin route. Reads are GET with query parameters; actions
// are POST with a urlencoded body. The token travels in the Authorization
// header (api/http.js). Every function resolves to the response envelope's payload.

import { apiGet, apiPost } from './http.js';

const LIKE = 1;
const UNLIKE = 2;
const ADD = 1;
const DELETE = 2;
const FOLLOW = 1;
const UNFOLLOW = 2;
const SEND = 1;

export const api = {
  /** Newest-first page strictly older than latestTime (ms; 0 = now). */
  async feed(latestTime = 0) {
    const body = await apiGet('/douyin/feed/', latestTime ? { latest_time: latestTime } : {});
    return { videos: body.video_list ?? [], nextTime: Number(body.next_time) || 0 };
  },

  async register(username, password) {
    const body = await apiPost('/douyin/user/register/', { username, password });
    return { userId: body.user_id, token: body.token };
  },

  async login(username, password) {
    const body = await apiPost('/douyin/user/login/', { username, password });
    return { userId: body.user_id, token: body.token };
  },

  /** A user's profile; without userId, the signed-in user's own. */
  async user(userId) {
    const body = await apiGet('/douyin/user/', userId ? { user_id: userId } : {});
    return body.user;
  },

  async publishList(userId) {
    return (await apiGet('/douyin/publish/list/', { user_id: userId })).video_list ?? [];
  },

  async favoriteList(userId) {
    return (await apiGet('/douyin/favorite/list/', { user_id: userId })).video_list ?? [];
  },

  async setLiked(videoId, liked) {
    await apiPost('/douyin/favorite/action/', { video_id: videoId, action_type: liked ? LIKE : UNLIKE });
  },

  async comments(videoId) {
    return (await apiGet('/douyin/comment/list/', { video_id: videoId })).comment_list ?? [];
  },

  async addComment(videoId, text) {
    const body = await apiPost('/douyin/comment/action/', { video_id: videoId, action_type: ADD, comment_text: text });
    return body.comment;
  },

  async deleteComment(videoId, commentId) {
    await apiPost('/douyin/comment/action/', { video_id: videoId, action_type: DELETE, comment_id: commentId });
  },

  async setFollowing(userId, follow) {
    await apiPost('/douyin/relation/action/', { to_user_id: userId, action_type: follow ? FOLLOW : UNFOLLOW });
  },

  async followList(userId) {
    return (await apiGet('/douyin/relation/follow/list/', { user_id: userId })).user_list ?? [];
  },

  async followerList(userId) {
    return (await apiGet('/douyin/relation/follower/list/', { user_id: userId })).user_list ?? [];
  },

  async friendList(userId) {
    return (await apiGet('/douyin/relation/friend/list/', { user_id: userId })).user_list ?? [];
  },

  async sendMessage(toUserId, content) {
    await apiPost('/douyin/message/action/', { to_user_id: toUserId, action_type: SEND, content });
  },

  /** Whole conversation (oldest first), or only messages newer than preMsgTime (ms). */
  async chat(toUserId, preMsgTime = 0) {
    const params = { to_user_id: toUserId };
    if (preMsgTime) params.pre_msg_time = preMsgTime;
    return (await apiGet('/douyin/message/chat/', params)).message_list ?? [];
  },

  /**
   * The signed-in user's conversations, newest last message first: everyone they exchanged a
   * message with, friend or not. Each is { user, last_message }. offset/limit page the list
   * (the server allows limit 1..100; without one it answers up to 100).
   */
  async conversations({ offset = 0, limit } = {}) {
    const params = {};
    if (offset > 0) params.offset = offset;
    if (limit) params.limit = limit;
    return (await apiGet('/douyin/message/conversations/', params)).conversation_list ?? [];
  },
};
