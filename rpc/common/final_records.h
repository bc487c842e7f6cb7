#pragma once
// Records that never change once final (a profile once registered, a video once ready), kept by a
// client adapter so that a batched lookup asks its service only for the ids it has not kept.
// Records that are not final yet, and ids that were not found, are asked for every time.

#include <cstdint>
#include <span>
#include <vector>

#include "libs/cache/keyed_cache.h"

namespace minitok::rpc {

template <class Record>
class FinalRecords {
 public:
  explicit FinalRecords(std::size_t max_records) : kept_(max_records) {}

  struct Lookup {
    std::vector<Record> kept;
    std::vector<std::int64_t> missing;
  };
  Lookup Split(std::span<const std::int64_t> ids) {
    Lookup lookup;
    for (const std::int64_t id : ids) {
      if (auto record = kept_.Get(id)) {
        lookup.kept.push_back(std::move(*record));
      } else {
        lookup.missing.push_back(id);
      }
    }
    return lookup;
  }

  /// Keeps `record` (whose id is `id`) when `final`; nothing ever invalidates a final record.
  void Offer(std::int64_t id, const Record& record, bool final) {
    if (final) kept_.Fill(id, record, kept_.TicketFor(id));
  }

 private:
  cache::KeyedCache<Record> kept_;
};

}  // namespace minitok::rpc
