#pragma once
// Merges the queries of concurrent callers into one call, as a group commit merges their writes:
// while as many calls as allowed are in flight, new queries gather in one open batch, which leaves
// as a single call once a slot is free. With nothing in flight a query leaves at once, so a lone
// caller waits no longer than it would alone; under load each call carries many callers' queries
// and its fixed cost (for a gRPC call, tens of microseconds of CPU on each side) is shared.
//
// No thread of its own: a call's answer, on whatever thread delivers it, frees its slot, sends the
// batch that gathered meanwhile, and then hands each caller its own answer.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::concurrency {

/// While a thread hands out the answers of one call, the calls its callers' next queries would
/// start are held until it has handed out all of them: a page's lookups then leave together
/// with those of every other page the call answered, instead of the first alone.
class HandingOut {
 public:
  HandingOut() { ++depth_; }
  ~HandingOut() {
    if (--depth_ > 0) return;
    while (!held_.empty()) {
      auto next = std::move(held_.back());
      held_.pop_back();
      next();
    }
  }
  HandingOut(const HandingOut&) = delete;
  HandingOut& operator=(const HandingOut&) = delete;

  /// Whether this thread is handing out answers; `send` then runs when it is done.
  static bool Hold(std::function<void()> send) {
    if (depth_ == 0) return false;
    held_.push_back(std::move(send));
    return true;
  }

 private:
  static inline thread_local int depth_ = 0;
  static inline thread_local std::vector<std::function<void()>> held_;
};

template <class Query, class Answer>
class Coalescer {
 public:
  /// `send(queries)` starts one call and returns its answers: one per query, in order.
  using Send = std::function<Pending<std::vector<Answer>>(std::vector<Query>)>;

  /// `max_in_flight()` is read at each decision (it may follow the number of instances).
  Coalescer(Send send, std::function<std::size_t()> max_in_flight)
      : send_(std::move(send)), max_in_flight_(std::move(max_in_flight)) {}

  /// Waits for the calls still out: their answers refer to this.
  ~Coalescer() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return unfinished_ == 0; });
  }

  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  /// Joins the open batch (sending it at once when a slot is free).
  Pending<Answer> Add(Query query) {
    Promise<Answer> promise;
    auto answer = promise.GetPending();
    std::unique_lock lock(mutex_);
    open_.queries.push_back(std::move(query));
    open_.callers.push_back(std::move(promise));
    if (!SlotFree() || send_held_) return answer;
    if (HandingOut::Hold([this] { SendHeld(); })) {
      send_held_ = true;
      ++unfinished_;
      return answer;
    }
    SendOpen(lock);
    return answer;
  }

 private:
  struct Batch {
    std::vector<Query> queries;
    std::vector<Promise<Answer>> callers;  ///< one per query, in order
  };

  bool SlotFree() { return in_flight_ < std::max<std::size_t>(1, max_in_flight_()); }

  /// Sends the open batch; returns with the lock released.
  void SendOpen(std::unique_lock<std::mutex>& lock) {
    Batch batch = std::exchange(open_, Batch{});
    ++in_flight_;
    ++unfinished_;
    lock.unlock();
    send_(std::move(batch.queries))
        .OnReady([this, callers = std::move(batch.callers)](Result<std::vector<Answer>> answers) {
          Answered(callers, std::move(answers));
        });
  }

  /// Sends what gathered in the open batch if a slot is free.
  void SendGathered(std::unique_lock<std::mutex>& lock) {
    if (!open_.callers.empty() && SlotFree()) SendOpen(lock);
  }

  void SendHeld() {
    std::unique_lock lock(mutex_);
    send_held_ = false;
    --unfinished_;
    SendGathered(lock);
  }

  void Answered(const std::vector<Promise<Answer>>& callers, Result<std::vector<Answer>> answers) {
    {
      std::unique_lock lock(mutex_);
      --in_flight_;
      // What gathered meanwhile leaves before this batch's callers go on with their answers.
      SendGathered(lock);
    }
    if (answers.ok() && answers->size() != callers.size()) {
      answers = InternalError("a merged call answered " + std::to_string(answers->size()) + " of " +
                              std::to_string(callers.size()) + " queries");
    }
    {
      const HandingOut round;
      for (std::size_t i = 0; i < callers.size(); ++i) {
        if (answers.ok()) {
          callers[i].Deliver(std::move((*answers)[i]));
        } else {
          callers[i].Deliver(answers.error());
        }
      }
    }
    std::lock_guard lock(mutex_);
    if (--unfinished_ == 0) idle_.notify_all();
  }

  const Send send_;
  const std::function<std::size_t()> max_in_flight_;
  std::mutex mutex_;
  std::condition_variable idle_;
  Batch open_;
  std::size_t in_flight_ = 0;   ///< calls holding a slot
  std::size_t unfinished_ = 0;  ///< calls whose answer is not yet handed out, and a held send
  bool send_held_ = false;      ///< the open batch leaves when a thread has handed out its answers
};

/// Records looked up by the id each carries (`id_of(record)`), to answer lists of ids in their
/// own order; an id without a record is left out.
template <class Record>
class RecordsById {
 public:
  template <class IdOf>
  RecordsById(const std::vector<Record>& records, IdOf id_of) {
    for (const auto& record : records) by_id_.emplace(id_of(record), &record);
  }

  std::vector<Record> InOrderOf(std::span<const std::int64_t> ids) const {
    std::vector<Record> picked;
    picked.reserve(ids.size());
    for (const std::int64_t id : ids) {
      if (const auto found = by_id_.find(id); found != by_id_.end()) picked.push_back(*found->second);
    }
    return picked;
  }

 private:
  std::unordered_map<std::int64_t, const Record*> by_id_;
};

/// The Send of a lookup by ids whose records carry their id (`id_of(record)`): the queries' ids
/// travel as one list, each id once, and each query gets the records of its own ids in its order
/// (an id without a record is left out of its answer, as the lookup left it out).
template <class Record, class IdOf>
typename Coalescer<std::vector<std::int64_t>, std::vector<Record>>::Send MergingIds(
    std::function<Pending<std::vector<Record>>(std::vector<std::int64_t>)> send_ids, IdOf id_of) {
  using Answers = std::vector<std::vector<Record>>;
  return [send_ids = std::move(send_ids), id_of](std::vector<std::vector<std::int64_t>> queries) {
    std::vector<std::int64_t> ids;
    std::unordered_set<std::int64_t> seen;
    for (const auto& query : queries) {
      for (const std::int64_t id : query) {
        if (seen.insert(id).second) ids.push_back(id);
      }
    }
    return send_ids(std::move(ids)).template Then<Answers>(
        [queries = std::move(queries), id_of](Result<std::vector<Record>> records) -> Result<Answers> {
          if (!records.ok()) return std::move(records).error();
          const RecordsById<Record> by_id(*records, id_of);
          Answers answers;
          answers.reserve(queries.size());
          for (const auto& query : queries) answers.push_back(by_id.InOrderOf(query));
          return answers;
        });
  };
}

}  // namespace minitok::concurrency
