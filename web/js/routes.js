// The route table: which view answers which hash path, and which need an account.

import { session } from './state/session.js';
import { feedView } from './views/feed-view.js';
import { authView } from './views/auth-view.js';
import { publishView } from './views/publish-view.js';
import { profileView } from './views/profile-view.js';
import { watchView } from './views/watch-view.js';
import { relationsView } from './views/relations-view.js';
import { inboxView } from './views/inbox-view.js';
import { chatView } from './views/chat-view.js';

/**
 * name: for nav highlighting and titles; auth: needs a signed-in user;
 * redirect(): path to go to instead; immersive: full-bleed video page.
 */
export function buildRoutes({ signOut }) {
  return [
    { name: 'feed', pattern: '/feed', title: 'For You', immersive: true, view: feedView },
    { name: 'login', pattern: '/login', title: 'Log in', view: (ctx) => authView(ctx, 'login') },
    { name: 'signup', pattern: '/signup', title: 'Sign up', view: (ctx) => authView(ctx, 'signup') },
    { name: 'publish', pattern: '/publish', title: 'Upload', auth: true, view: publishView },
    { name: 'me', pattern: '/me', auth: true, redirect: () => `/user/${session.userId}` },
    { name: 'profile', pattern: '/user/:id', title: 'Profile', view: (ctx) => profileView(ctx, 'videos', { onSignOut: signOut }) },
    { name: 'profile', pattern: '/user/:id/likes', title: 'Liked videos', view: (ctx) => profileView(ctx, 'likes', { onSignOut: signOut }) },
    { name: 'watch', pattern: '/user/:id/videos/:videoId', title: 'Watch', immersive: true, view: (ctx) => watchView(ctx, 'videos') },
    { name: 'watch', pattern: '/user/:id/likes/:videoId', title: 'Watch', immersive: true, view: (ctx) => watchView(ctx, 'likes') },
    { name: 'following', pattern: '/user/:id/following', title: 'Following', view: (ctx) => relationsView(ctx, 'following') },
    { name: 'followers', pattern: '/user/:id/followers', title: 'Followers', view: (ctx) => relationsView(ctx, 'followers') },
    { name: 'friends', pattern: '/friends', title: 'Friends', auth: true, view: (ctx) => relationsView(ctx, 'friends') },
    { name: 'inbox', pattern: '/inbox', title: 'Inbox', auth: true, view: inboxView },
    { name: 'chat', pattern: '/chat/:id', title: 'Chat', auth: true, view: chatView },
  ];
}
