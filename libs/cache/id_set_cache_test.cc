#include "libs/cache/id_set_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace minitok::cache {
namespace {

// The "database": owner -> ids, with a count of reads of each kind.
struct FakeSets {
  std::map<std::int64_t, std::set<std::int64_t>> rows;
  int whole_reads = 0;
  int batch_reads = 0;

  IdSetCache Cache(std::int64_t max_per_owner) {
    return IdSetCache(
        1000, max_per_owner,
        [this](std::int64_t owner, std::int64_t limit) -> Result<std::vector<std::int64_t>> {
          ++whole_reads;
          std::vector<std::int64_t> ids;
          for (const auto id : rows[owner]) {
            if (static_cast<std::int64_t>(ids.size()) == limit) break;
            ids.push_back(id);
          }
          return ids;
        },
        [this](std::int64_t owner, std::span<const std::int64_t> ids) -> Result<std::vector<std::int64_t>> {
          ++batch_reads;
          std::vector<std::int64_t> found;
          for (const auto id : ids) {
            if (rows[owner].contains(id)) found.push_back(id);
          }
          return found;
        });
  }
};

TEST(IdSetCacheTest, SmallSetsAreReadOnceUntilInvalidated) {
  FakeSets db;
  db.rows[1] = {5, 9, 3};
  auto cache = db.Cache(10);
  const std::int64_t ids[] = {9, 4, 3};
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{3, 9}));
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{3, 9}));
  EXPECT_EQ(db.whole_reads, 1);
  db.rows[1].insert(4);
  cache.Invalidate(1);
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{3, 4, 9}));
  EXPECT_EQ(db.whole_reads, 2);
  EXPECT_EQ(db.batch_reads, 0);
}

TEST(IdSetCacheTest, LargeSetsAreAskedPerBatch) {
  FakeSets db;
  db.rows[1] = {1, 2, 3, 4};
  auto cache = db.Cache(3);
  const std::int64_t ids[] = {4, 8};
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(db.whole_reads, 1);  // "too many" is remembered
  EXPECT_EQ(db.batch_reads, 2);
}

TEST(IdSetCacheTest, ReadErrorsPassOnAndAreNotCached) {
  bool failing = true;
  IdSetCache cache(
      1000, 10,
      [&](std::int64_t, std::int64_t) -> Result<std::vector<std::int64_t>> {
        if (failing) return MakeError(Code::kUnavailable, "busy");
        return std::vector<std::int64_t>{7};
      },
      [](std::int64_t, std::span<const std::int64_t>) -> Result<std::vector<std::int64_t>> {
        return std::vector<std::int64_t>{};
      });
  const std::int64_t ids[] = {7};
  EXPECT_FALSE(cache.Among(1, ids).ok());
  failing = false;
  EXPECT_EQ(cache.Among(1, ids).value(), (std::vector<std::int64_t>{7}));
}

}  // namespace
}  // namespace minitok::cache
