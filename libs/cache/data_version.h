#pragma once
// The version of everything public: what anonymous answers are computed from.

#include <atomic>
#include <cstdint>

namespace minitok::cache {

/// A counter of changes to public data. The service that owns the data bumps it after a change
/// committed AND after it dropped its own cached objects: a reader that sees the new version
/// therefore reads fresh objects, and an answer built from stale ones was built under an older
/// version, which is no longer current. Changes nobody sees anonymously (a video's processing
/// progress, a message) and writes that change nothing do not bump it. Thread-safe.
class DataVersion {
 public:
  std::uint64_t Current() const { return version_.load(std::memory_order_acquire); }
  void Bump() { version_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  std::atomic<std::uint64_t> version_{1};
};

/// Bumps `version` when there is one (a service built without an answer cache has none).
inline void PublicDataChanged(DataVersion* version) {
  if (version != nullptr) version->Bump();
}

}  // namespace minitok::cache
