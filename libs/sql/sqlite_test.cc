#include "libs/sql/sqlite.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace minitok::sql {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("minitok-sql-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Path() const { return (dir_ / "t.db").string(); }

  std::filesystem::path dir_;
};

const EmbeddedFile kMigrations[] = {
    {"001_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"},
    {"002_more.sql", "ALTER TABLE t ADD COLUMN n INTEGER NOT NULL DEFAULT 0;"},
};

TEST_F(DatabaseTest, AppliesMigrationsOnceAndWritesAndReads) {
  {
    auto db = Database::Open({.path = Path()}, kMigrations);
    ASSERT_TRUE(db.ok()) << db.error().detail;
    auto written = (*db)->Write([](Connection& c) -> Result<std::int64_t> {
      MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare("INSERT INTO t (v, n) VALUES (?, ?)"));
      MINITOK_RETURN_IF_ERROR(insert.Bind(1, std::string_view("hello")).Bind(2, std::int64_t{3}).Run());
      return c.LastInsertRowId();
    });
    ASSERT_TRUE(written.ok());
    EXPECT_EQ(*written, 1);
  }
  auto reopened = Database::Open({.path = Path()}, kMigrations);
  ASSERT_TRUE(reopened.ok());
  auto read = (*reopened)->Read([](Connection& c) -> Result<std::string> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare("SELECT v, n FROM t WHERE id = ?"));
    select.Bind(1, std::int64_t{1});
    MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
    if (!row) return MakeError(Code::kNotFound, "missing");
    return select.ColumnText(0) + std::to_string(select.ColumnInt(1));
  });
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "hello3");
}

TEST_F(DatabaseTest, RollsBackWhenWorkFails) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  ASSERT_TRUE(db.ok());
  auto failed = (*db)->Write([](Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare("INSERT INTO t (v) VALUES (?)"));
    MINITOK_RETURN_IF_ERROR(insert.Bind(1, std::string_view("x")).Run());
    return MakeError(Code::kInvalidArgument, "changed my mind");
  });
  EXPECT_FALSE(failed.ok());
  auto count = (*db)->Read([](Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare("SELECT COUNT(*) FROM t"));
    MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
    return row ? select.ColumnInt(0) : -1;
  });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
}

TEST_F(DatabaseTest, AReadThatThrowsLeavesNoTransactionOpenOnItsReader) {
  auto db = Database::Open({.path = Path(), .readers = 1}, kMigrations);
  ASSERT_TRUE(db.ok());
  const auto count_rows = [&] {
    return (*db)->Read([](Connection& c) -> Result<std::int64_t> {
      MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare("SELECT COUNT(*) FROM t"));
      MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
      if (!row) return InternalError("no count");
      return select.ColumnInt(0);
    });
  };
  ASSERT_EQ(count_rows().value(), 0);
  // The work starts reading (taking a snapshot), then throws mid-statement.
  EXPECT_THROW((void)(*db)->Read([](Connection& c) -> Status {
    auto select = c.Prepare("SELECT COUNT(*) FROM t").value();
    (void)select.Step();
    throw std::runtime_error("thrown inside a read");
  }),
               std::runtime_error);
  ASSERT_TRUE((*db)->Write([](Connection& c) -> Status {
    MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare("INSERT INTO t (v) VALUES ('after')"));
    return insert.Run();
  }).ok());
  // The only reader must start a fresh snapshot: no "transaction within a transaction", no stale count.
  const auto after = count_rows();
  ASSERT_TRUE(after.ok()) << after.error().detail;
  EXPECT_EQ(*after, 1);
}

TEST_F(DatabaseTest, PowerLossDurabilitySyncsEveryCommitAndTheDefaultDoesNot) {
  const auto synchronous_of = [&](Durability durability) {
    std::filesystem::remove(Path());
    auto db = Database::Open({.path = Path(), .durability = durability}, kMigrations);
    EXPECT_TRUE(db.ok());
    return (*db)->Write([](Connection& c) -> Result<std::int64_t> {
      MINITOK_ASSIGN_OR_RETURN(auto pragma, c.Prepare("PRAGMA synchronous"));
      MINITOK_ASSIGN_OR_RETURN(const bool row, pragma.Step());
      if (!row) return InternalError("no value");
      return pragma.ColumnInt(0);
    });
  };
  EXPECT_EQ(synchronous_of(Durability::kProcessCrash).value(), 1);  // NORMAL
  EXPECT_EQ(synchronous_of(Durability::kPowerLoss).value(), 2);     // FULL
}

TEST_F(DatabaseTest, ConcurrentWritesShareCommitsAndFailOnlyAlone) {
  std::atomic<int> commits{0};
  auto db = Database::Open({.path = Path(), .after_commit = [&] { ++commits; }}, kMigrations);
  ASSERT_TRUE(db.ok());
  const int before = commits.load();
  constexpr int kThreads = 8;
  constexpr int kWrites = 200;
  std::vector<std::thread> threads;
  std::atomic<int> failures_seen{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const std::int64_t id = t * kWrites + i + 1;
        const bool fail = i % 10 == 0;  // inserts, then fails: must leave nothing behind
        auto written = (*db)->Write([&](Connection& c) -> Result<std::int64_t> {
          MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare("INSERT INTO t (id, v) VALUES (?, 'x')"));
          MINITOK_RETURN_IF_ERROR(insert.Bind(1, id).Run());
          if (fail) return MakeError(Code::kInvalidArgument, "refused after inserting");
          return id;
        });
        if (fail) {
          EXPECT_FALSE(written.ok());
          if (!written.ok() && written.error().code == Code::kInvalidArgument) ++failures_seen;
        } else {
          EXPECT_TRUE(written.ok());
          if (written.ok()) {
            EXPECT_EQ(*written, id);
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures_seen.load(), kThreads * kWrites / 10);
  auto rows = (*db)->Read([](Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare("SELECT COUNT(*) FROM t WHERE (id - 1) % 200 % 10 != 0"));
    MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
    const std::int64_t kept = row ? select.ColumnInt(0) : -1;
    MINITOK_ASSIGN_OR_RETURN(auto all, c.Prepare("SELECT COUNT(*) FROM t"));
    MINITOK_ASSIGN_OR_RETURN(const bool any, all.Step());
    return any && all.ColumnInt(0) == kept ? kept : -1;
  });
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, kThreads * kWrites * 9 / 10);  // every acknowledged write, no refused one
  EXPECT_LE(commits.load() - before, kThreads * kWrites * 9 / 10);
}

TEST_F(DatabaseTest, TransactionsRefuseToStartOnANonBlockingThread) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  ASSERT_TRUE(db.ok());
  bool ran = false;
  {
    const NonBlockingScope on_the_loop;
    auto read = (*db)->Read([&](Connection&) -> Result<int> {
      ran = true;
      return 1;
    });
    auto written = (*db)->Write([&](Connection&) -> Status {
      ran = true;
      return Ok();
    });
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, Code::kWouldBlock);
    ASSERT_FALSE(written.ok());
    EXPECT_EQ(written.error().code, Code::kWouldBlock);
    EXPECT_TRUE(on_the_loop.refused());
  }
  EXPECT_FALSE(ran);
  auto read = (*db)->Read([](Connection&) -> Result<int> { return 1; });
  EXPECT_TRUE(read.ok());  // outside the scope the same call runs
}

TEST_F(DatabaseTest, BackgroundCheckpointsKeepTheWalFromGrowingForever) {
  namespace fs = std::filesystem;
  int commits = 0;
  auto db = Database::Open({.path = Path(), .after_commit = [&] { ++commits; },
                            .checkpoint_interval = std::chrono::milliseconds(20)},
                           kMigrations);
  ASSERT_TRUE(db.ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE((*db)->Write([&](Connection& c) -> Status {
      MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare("INSERT INTO t (v) VALUES (?)"));
      return insert.Bind(1, std::string_view(std::string(2000, 'x'))).Run();
    }).ok());
  }
  EXPECT_EQ(commits, 200);
  // Everything committed reaches the main file (it then holds the rows' pages) without any
  // further write. Waited for, not timed: a busy machine may delay the checkpointer's turns.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (fs::file_size(Path()) <= 200u * 2000u && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(fs::file_size(Path()), 200u * 2000u);
}

TEST_F(DatabaseTest, RefusesNewerSchema) {
  { ASSERT_TRUE(Database::Open({.path = Path()}, kMigrations).ok()); }
  auto older = Database::Open({.path = Path()}, std::span(kMigrations, 1));
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code, Code::kFailedPrecondition);
  EXPECT_NE(older.error().message.find("newer"), std::string::npos);
}

TEST_F(DatabaseTest, ReportsSqlErrorsAsInternalWithDetailOnly) {
  auto db = Database::Open({.path = Path()}, kMigrations);
  ASSERT_TRUE(db.ok());
  auto bad = (*db)->Read([](Connection& c) -> Status {
    auto statement = c.Prepare("SELECT nope FROM t");
    if (statement.ok()) return Ok();
    return statement.error();
  });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::kInternal);
  EXPECT_EQ(bad.error().message.find("nope"), std::string::npos);
  EXPECT_NE(bad.error().detail.find("nope"), std::string::npos);
}

}  // namespace
}  // namespace minitok::sql
