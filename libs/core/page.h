#pragma once
#include <cstdint>

namespace minitok {

/// Offset paging for the lists the Douyin API does not page itself.
struct Page {
  std::int64_t offset = 0;
  std::int64_t limit = 100;
};

}  // namespace minitok
