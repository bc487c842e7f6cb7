#pragma once
// SQLite access for the data layer: one writer connection per file (writes serialised, so every
// write is one short IMMEDIATE transaction), a small pool of reader connections (WAL lets them
// read while the writer writes), cached prepared statements, numbered migrations.
// SQL text lives only in services' data files; values are always bound, never spliced.

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "libs/core/embedded_file.h"
#include "libs/core/non_blocking.h"
#include "libs/core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace minitok::sql {

/// A prepared statement borrowed from its connection's cache; reset when it goes out of scope.
/// Not thread-safe: used only by the thread holding the connection.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)), db_(other.db_) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  /// Binds are 1-based, as in SQLite.
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);

  /// Advances; true when a row is available, false when done.
  Result<bool> Step();
  /// Steps to completion, for statements that return no rows.
  Status Run();

  std::int64_t ColumnInt(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool bind_failed_ = false;
};

/// What an acknowledged commit survives.
enum class Durability {
  kProcessCrash,  ///< WAL + synchronous=NORMAL: a crash of the process; a power cut may drop the last commits
  kPowerLoss,     ///< WAL + synchronous=FULL: the WAL is fsynced at every (grouped) commit
};

/// One sqlite3 connection with its statement cache. Used by one thread at a time.
class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  static Result<std::unique_ptr<Connection>> Open(const std::string& path, bool read_only,
                                                  Durability durability = Durability::kProcessCrash);

  /// Returns the cached statement for `sql` (prepared on first use).
  Result<Statement> Prepare(std::string_view sql);
  /// Runs one or more statements without results (pragmas, migrations, BEGIN/COMMIT).
  Status Execute(const std::string& sql);
  std::int64_t LastInsertRowId() const;
  int ChangedRows() const;
  /// True between BEGIN and its COMMIT or ROLLBACK.
  bool InTransaction() const;

  /// Interrupts statements running past `deadline` (slow SQL is cut off, not waited for).
  void SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline);
  /// Copies committed WAL frames into the database file without blocking readers or the writer.
  Status CheckpointPassive();

 private:
  explicit Connection(sqlite3* db);
  static int OnProgress(void* self);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

struct DatabaseOptions {
  std::string path;  ///< ":memory:" is refused: readers need a shared file (tests use temp files)
  std::size_t readers = 2;
  std::chrono::milliseconds statement_timeout{5000};
  /// Called on the writer thread after every committed group, before its writes return (an
  /// observer of the commit itself; services learn of their changes when Write returns).
  std::function<void()> after_commit;
  /// How often a background thread checkpoints the WAL (0: SQLite checkpoints inside commits).
  std::chrono::milliseconds checkpoint_interval{0};
  Durability durability = Durability::kProcessCrash;
};

/// A service's database. Safe to use from any thread.
class Database {
 public:
  /// Opens (creating if needed) and applies `migrations` ("NNN_name.sql", applied in order, the
  /// count kept in PRAGMA user_version). Refuses a file whose schema is newer than `migrations`.
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options,
                                                std::span<const EmbeddedFile> migrations);

  /// Runs `work(Connection&)` on the writer inside a write transaction; its changes commit if it
  /// returns ok and are rolled back otherwise. `work` returns Result<T>. Writes that arrive
  /// while a commit is in progress are grouped into the next transaction, each in its own
  /// savepoint (a failing one rolls back alone): one commit, and one write of each page they
  /// share, for the whole group. Returns when the group committed.
  template <class Work>
  auto Write(Work&& work) -> decltype(work(std::declval<Connection&>())) {
    if (NonBlockingScope::RefuseBlocking()) return WouldBlock();
    std::optional<decltype(work(std::declval<Connection&>()))> result;
    const std::function<bool(Connection&)> grouped = [&](Connection& c) {
      result.emplace(work(c));
      return result->ok();
    };
    const Status committed = WriteGrouped(grouped);
    if (!result) {  // never ran (BEGIN failed) or threw
      return committed.ok() ? InternalError("a write transaction's work threw") : committed.error();
    }
    if (!result->ok()) return std::move(*result);
    if (!committed.ok()) return committed.error();
    return std::move(*result);
  }

  /// Runs `work(Connection&)` on a reader inside one read transaction (a consistent snapshot).
  template <class Work>
  auto Read(Work&& work) -> decltype(work(std::declval<Connection&>())) {
    if (NonBlockingScope::RefuseBlocking()) return WouldBlock();
    Lease lease(*this);  // its end closes the transaction however `work` leaves, even by throwing
    lease->SetDeadline(std::chrono::steady_clock::now() + options_.statement_timeout);
    MINITOK_RETURN_IF_ERROR(lease->Execute("BEGIN"));
    return work(*lease);
  }

  const std::string& path() const { return options_.path; }
  ~Database();

 private:
  static Error WouldBlock() { return MakeError(Code::kWouldBlock, "the server is busy, please try again"); }

  /// A reader connection borrowed from the pool. It goes back outside any transaction and
  /// without a deadline, whatever happened while it was out.
  class Lease {
   public:
    explicit Lease(Database& db);
    ~Lease();
    Connection* operator->() { return connection_; }
    Connection& operator*() { return *connection_; }

   private:
    Database& db_;
    Connection* connection_;
  };

  /// A write waiting for its group's commit.
  struct PendingWrite {
    const std::function<bool(Connection&)>* work;  ///< false: roll back its savepoint
    Status committed;
    bool done = false;
  };

  explicit Database(DatabaseOptions options) : options_(std::move(options)) {}
  void CheckpointLoop();
  /// Queues `work`; the first waiting writer leads: it runs the queued works in one
  /// transaction and wakes the others. Returns the status of the commit.
  Status WriteGrouped(const std::function<bool(Connection&)>& work);
  void CommitGroup(std::span<PendingWrite* const> group);

  DatabaseOptions options_;
  std::mutex group_mutex_;
  std::condition_variable group_committed_;
  std::vector<PendingWrite*> waiting_writes_;
  bool group_leader_ = false;
  std::unique_ptr<Connection> writer_;  ///< used only by the group's leader
  std::mutex readers_mutex_;
  std::condition_variable reader_returned_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  // The background checkpointer (its own connection, so it never waits for the writer's lock).
  std::unique_ptr<Connection> checkpointer_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  bool stopping_ = false;
  std::thread checkpoint_thread_;
};

/// Applies `migrations` on `connection` (exposed for tests).
Status ApplyMigrations(Connection& connection, std::span<const EmbeddedFile> migrations,
                       const std::string& label);

}  // namespace minitok::sql

namespace minitok::sql {

/// Steps `statement` to the end, collecting column 0 of every row.
Result<std::vector<std::int64_t>> CollectInts(Statement& statement);
/// Steps `statement` to the end, collecting the first N integer columns of every row.
template <std::size_t N>
Result<std::vector<std::array<std::int64_t, N>>> CollectIntRows(Statement& statement) {
  std::vector<std::array<std::int64_t, N>> rows;
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) return rows;
    auto& values = rows.emplace_back();
    for (std::size_t i = 0; i < N; ++i) values[i] = statement.ColumnInt(static_cast<int>(i));
  }
}
/// Steps `statement` to the end, mapping column 0 to column 1 of every row.
Result<std::unordered_map<std::int64_t, std::int64_t>> CollectIntMap(Statement& statement);

/// Runs `sql`, which selects (id, count) rows for the ids of a batch bound as ?1 (see IdArray),
/// and answers one count per id asked, in order; zero for an id without a row.
Result<std::vector<std::int64_t>> ReadCounts(Database& db, std::string_view sql, std::span<const std::int64_t> ids);

/// Column 0 of `sql` run with ?1 = `owner` and ?2 = `limit` (e.g. all of a viewer's likes, bounded).
Result<std::vector<std::int64_t>> ReadOwnedIds(Database& db, std::string_view sql, std::int64_t owner,
                                               std::int64_t limit);
/// Column 0 of `sql` run with ?1 = `owner` and ?2 = a batch of `ids` (see IdArray).
Result<std::vector<std::int64_t>> ReadOwnedIdsAmong(Database& db, std::string_view sql, std::int64_t owner,
                                                    std::span<const std::int64_t> ids);

/// Runs `sql`, which selects (id, number) rows and binds a row limit as ?1: the rows, in order.
Result<std::vector<std::array<std::int64_t, 2>>> ReadIntPairs(Database& db, std::string_view sql,
                                                              std::int64_t limit);

/// "[1,2,3]": a batch of ids bound as one parameter and expanded in SQL with
/// `IN (SELECT value FROM json_each(?))`, so one prepared statement serves every batch size.
std::string IdArray(std::span<const std::int64_t> ids);

}  // namespace minitok::sql
