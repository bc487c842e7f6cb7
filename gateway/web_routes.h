#pragma once
// The built-in browser client (web/) and default images (assets/), served from memory.

#include "libs/http/router.h"

namespace minitok::gateway {

/// Adds "/" (the client's index.html), every other web/ file at its relative path, and
/// /assets/<file>. Served on the event loop: the bytes are in memory, nothing blocks.
void AddWebRoutes(http::Router& router);

/// The Content-Security-Policy sent with the client's page: nothing from other origins.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

}  // namespace minitok::gateway
