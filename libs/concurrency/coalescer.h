#pragma once
// Merges the queries of concurrent callers into one call, as a group commit merges their writes:
// while as many calls as allowed are in flight, new queries gather in one open batch, which leaves
// as a single call once a slot is free. With nothing in flight a query leaves at once, so a lone
// caller waits no longer than it would alone; under load each call carries many callers' queries
// and its fixed cost (for a gRPC call, tens of microseconds of CPU on each side) is shared.
//
// No thread of its own: the callers drive the calls. A caller waiting for its batch to leave
// sends it when a slot frees, and while no slot is free it collects another batch's answer, so
// that a call whose callers have all gone (or are busy elsewhere) never holds a slot for long.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "libs/core/pending.h"
#include "libs/core/result.h"

namespace minitok::concurrency {

template <class Query, class Answer>
class Coalescer {
 public:
  /// `send(queries)` starts one call and returns its answers: one per query, in order.
  using Send = std::function<Pending<std::vector<Answer>>(std::vector<Query>)>;

  /// `max_in_flight()` is read at each decision (it may follow the number of instances).
  Coalescer(Send send, std::function<std::size_t()> max_in_flight)
      : send_(std::move(send)), max_in_flight_(std::move(max_in_flight)) {}

  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  /// Joins the open batch (sending it at once when a slot is free). The answer is collected by
  /// Get() on the returned Pending, which blocks: call from a thread that may block.
  Pending<Answer> Add(Query query) {
    std::shared_ptr<Batch> batch;  // declared before the lock: released after it
    std::size_t index = 0;
    {
      std::unique_lock lock(mutex_);
      if (!open_) open_ = std::make_shared<Batch>();
      batch = open_;
      index = batch->size;
      batch->queries.push_back(std::move(query));
      ++batch->size;
      if (SlotFree()) SendOpen(lock);
    }
    return Pending<Answer>(std::function<Result<Answer>()>(
        [this, batch = std::move(batch), index]() { return Collect(*batch, index); }));
  }

 private:
  struct Batch {
    std::vector<Query> queries;  ///< until sent
    std::size_t size = 0;
    std::optional<Pending<std::vector<Answer>>> call;  ///< set once sent, taken by its collector
    std::optional<Result<std::vector<Answer>>> answers;
    bool collecting = false;
    std::condition_variable changed;
  };

  bool SlotFree() { return in_flight_.size() < std::max<std::size_t>(1, max_in_flight_()); }

  /// Sends the open batch. The caller holds a reference to it, so it never goes under the lock.
  void SendOpen(std::unique_lock<std::mutex>& lock) {
    const std::shared_ptr<Batch> batch = std::move(open_);
    in_flight_.push_back(batch);
    std::vector<Query> queries = std::move(batch->queries);
    lock.unlock();
    auto call = send_(std::move(queries));
    lock.lock();
    batch->call.emplace(std::move(call));
    batch->changed.notify_all();
    if (open_) open_->changed.notify_one();  // a caller waiting for a slot may collect this one
  }

  /// Waits for `batch`'s answers and collects them into it; frees its slot.
  void Drive(std::unique_lock<std::mutex>& lock, Batch& batch) {
    batch.collecting = true;
    Pending<std::vector<Answer>> call = std::move(*batch.call);
    batch.call.reset();
    lock.unlock();
    auto answers = std::move(call).Get();
    lock.lock();
    batch.answers.emplace(std::move(answers));
    std::erase_if(in_flight_, [&](const auto& one) { return one.get() == &batch; });
    batch.changed.notify_all();
    if (open_) open_->changed.notify_one();  // a slot is free: one of its callers sends it
  }

  Result<Answer> Collect(Batch& batch, std::size_t index) {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (batch.answers) return Take(batch, index);
      const bool waiting_for_slot = open_.get() == &batch;
      if (waiting_for_slot && SlotFree()) {
        SendOpen(lock);
        continue;
      }
      Batch* drive = nullptr;
      if (batch.call && !batch.collecting) {
        drive = &batch;
      } else if (waiting_for_slot) {
        for (const auto& other : in_flight_) {
          if (other->call && !other->collecting) {
            drive = other.get();
            break;
          }
        }
      }
      if (drive != nullptr) {
        const auto keep_alive = FindInFlight(*drive);  // Drive takes it out of in_flight_
        Drive(lock, *drive);
        continue;
      }
      batch.changed.wait(lock);
    }
  }

  std::shared_ptr<Batch> FindInFlight(const Batch& batch) {
    for (const auto& one : in_flight_) {
      if (one.get() == &batch) return one;
    }
    return nullptr;
  }

  /// Each caller takes its own answer, once.
  static Result<Answer> Take(Batch& batch, std::size_t index) {
    auto& answers = *batch.answers;
    if (!answers.ok()) return answers.error();
    if (answers->size() != batch.size) {
      return InternalError("a merged call answered " + std::to_string(answers->size()) + " of " +
                           std::to_string(batch.size) + " queries");
    }
    return std::move((*answers)[index]);
  }

  const Send send_;
  const std::function<std::size_t()> max_in_flight_;
  std::mutex mutex_;
  std::shared_ptr<Batch> open_;
  std::deque<std::shared_ptr<Batch>> in_flight_;
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
