#include "libs/sql/sqlite.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>

namespace minitok::sql {
namespace {

Error SqliteError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_extended_errcode(db);
  std::string detail = std::string(what) + ": " + sqlite3_errmsg(db);
  if (code == SQLITE_INTERRUPT) {
    return MakeError(Code::kUnavailable, "the request took too long, please try again", detail);
  }
  if ((code & 0xFF) == SQLITE_BUSY || (code & 0xFF) == SQLITE_LOCKED) {
    return MakeError(Code::kUnavailable, "the server is busy, please try again", detail);
  }
  if ((code & 0xFF) == SQLITE_FULL) {
    return MakeError(Code::kResourceExhausted, "the server's disk is full", detail);
  }
  return InternalError(std::move(detail));
}

}  // namespace

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

Statement& Statement::Bind(int index, std::int64_t value) {
  bind_failed_ |= sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK;
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  bind_failed_ |= sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                      SQLITE_UTF8) != SQLITE_OK;
  return *this;
}

Result<bool> Statement::Step() {
  if (bind_failed_) return SqliteError(db_, "bind");
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, Step());
    if (!row) return Ok();
  }
}

std::int64_t Statement::ColumnInt(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const auto* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

Connection::Connection(sqlite3* db) : db_(db) {}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, bool read_only,
                                                     Durability durability) {
  sqlite3* db = nullptr;
  const int flags = (read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) |
                    SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    Error error = InternalError("open " + path + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_close_v2(db);
    return error;
  }
  auto connection = std::unique_ptr<Connection>(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  sqlite3_progress_handler(db, 1000, &Connection::OnProgress, connection.get());
  if (!read_only) {
    // NORMAL in WAL mode: a commit survives a process crash; power loss may drop the last
    // transactions, never corrupt the file. FULL also fsyncs the WAL at each commit, which the
    // grouped writer pays once per group.
    const std::string synchronous = durability == Durability::kPowerLoss ? "FULL" : "NORMAL";
    MINITOK_RETURN_IF_ERROR(connection->Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=" + synchronous +
                                                "; PRAGMA foreign_keys=ON;"));
  }
  return connection;
}

int Connection::OnProgress(void* self) {
  const auto& deadline = static_cast<Connection*>(self)->deadline_;
  return deadline && std::chrono::steady_clock::now() > *deadline ? 1 : 0;
}

void Connection::SetDeadline(std::optional<std::chrono::steady_clock::time_point> deadline) {
  deadline_ = deadline;
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  const std::string key(sql);
  auto found = statements_.find(key);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, key.c_str(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return SqliteError(db_, "prepare " + key);
    }
    found = statements_.emplace(key, stmt).first;
  }
  return Statement(found->second, db_);
}

Status Connection::Execute(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    Error error = SqliteError(db_, sql.substr(0, 80));
    sqlite3_free(message);
    return error;
  }
  return Ok();
}

Status Connection::CheckpointPassive() {
  if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db_, "checkpoint");
  }
  return Ok();
}

std::int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

int Connection::ChangedRows() const { return sqlite3_changes(db_); }
bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

Status ApplyMigrations(Connection& connection, std::span<const EmbeddedFile> migrations,
                       const std::string& label) {
  std::vector<EmbeddedFile> ordered(migrations.begin(), migrations.end());
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    int number = 0;
    const auto name = ordered[i].path.substr(ordered[i].path.rfind('/') + 1);
    std::from_chars(name.data(), name.data() + name.size(), number);
    if (number != static_cast<int>(i + 1)) {
      return InternalError("migration " + std::string(ordered[i].path) + " is out of sequence");
    }
  }

  MINITOK_ASSIGN_OR_RETURN(auto version_statement, connection.Prepare("PRAGMA user_version"));
  MINITOK_ASSIGN_OR_RETURN(const bool has_row, version_statement.Step());
  const std::int64_t current = has_row ? version_statement.ColumnInt(0) : 0;
  const auto known = static_cast<std::int64_t>(ordered.size());
  if (current > known) {
    return MakeError(Code::kFailedPrecondition,
                     "the " + label + " database has schema version " + std::to_string(current) +
                         ", newer than this minitok knows (" + std::to_string(known) +
                         "); upgrade minitok or use another --data-dir");
  }
  for (std::int64_t version = current + 1; version <= known; ++version) {
    const std::string script(ordered[static_cast<std::size_t>(version - 1)].bytes);
    MINITOK_RETURN_IF_ERROR(connection.Execute("BEGIN IMMEDIATE"));
    auto applied = connection.Execute(script);
    if (applied.ok()) {
      applied = connection.Execute("PRAGMA user_version = " + std::to_string(version));
    }
    if (!applied.ok()) {
      (void)connection.Execute("ROLLBACK");
      return std::move(applied).error();
    }
    MINITOK_RETURN_IF_ERROR(connection.Execute("COMMIT"));
  }
  return Ok();
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseOptions& options,
                                                 std::span<const EmbeddedFile> migrations) {
  if (options.path == ":memory:" || options.path.empty()) {
    return InternalError("a database needs a file path");
  }
  auto database = std::unique_ptr<Database>(new Database(options));
  MINITOK_ASSIGN_OR_RETURN(database->writer_, Connection::Open(options.path, false, options.durability));
  MINITOK_RETURN_IF_ERROR(ApplyMigrations(*database->writer_, migrations, options.path));
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options.readers); ++i) {
    MINITOK_ASSIGN_OR_RETURN(auto reader, Connection::Open(options.path, true));
    database->idle_readers_.push_back(reader.get());
    database->readers_.push_back(std::move(reader));
  }
  if (options.checkpoint_interval.count() > 0) {
    // Checkpoints inside a commit stall that commit (and every write queued behind it) for the
    // length of a file sync; done in the background they cost no request anything.
    MINITOK_RETURN_IF_ERROR(database->writer_->Execute("PRAGMA wal_autocheckpoint = 0"));
    MINITOK_ASSIGN_OR_RETURN(database->checkpointer_, Connection::Open(options.path, false));
    database->checkpoint_thread_ = std::thread([db = database.get()] { db->CheckpointLoop(); });
  }
  return database;
}

Database::~Database() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wake_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
  if (checkpointer_) (void)checkpointer_->CheckpointPassive();
}

void Database::CheckpointLoop() {
  std::unique_lock lock(checkpoint_mutex_);
  while (!checkpoint_wake_.wait_for(lock, options_.checkpoint_interval, [this] { return stopping_; })) {
    lock.unlock();
    (void)checkpointer_->CheckpointPassive();  // a failed pass is retried at the next interval
    lock.lock();
  }
}

Database::Lease::Lease(Database& db) : db_(db) {
  std::unique_lock lock(db_.readers_mutex_);
  db_.reader_returned_.wait(lock, [this] { return !db_.idle_readers_.empty(); });
  connection_ = db_.idle_readers_.back();
  db_.idle_readers_.pop_back();
}

Database::Lease::~Lease() {
  // A read transaction changes nothing, so ending it by ROLLBACK is as good as COMMIT, and
  // ROLLBACK cannot be refused for statements still pending.
  if (connection_->InTransaction()) (void)connection_->Execute("ROLLBACK");
  connection_->SetDeadline(std::nullopt);
  {
    std::lock_guard lock(db_.readers_mutex_);
    db_.idle_readers_.push_back(connection_);
  }
  db_.reader_returned_.notify_one();
}

}  // namespace minitok::sql

namespace minitok::sql {

Status Database::WriteGrouped(const std::function<bool(Connection&)>& work) {
  PendingWrite mine{&work};
  std::unique_lock lock(group_mutex_);
  waiting_writes_.push_back(&mine);
  group_committed_.wait(lock, [&] { return mine.done || !group_leader_; });
  if (mine.done) return mine.committed;
  group_leader_ = true;
  std::vector<PendingWrite*> group;
  group.swap(waiting_writes_);
  lock.unlock();
  CommitGroup(group);
  lock.lock();
  for (PendingWrite* write : group) write->done = true;
  group_leader_ = false;
  lock.unlock();
  group_committed_.notify_all();
  return mine.committed;
}

void Database::CommitGroup(std::span<PendingWrite* const> group) {
  const auto finish = [&](const Status& status) {
    for (PendingWrite* write : group) write->committed = status;
  };
  if (Status begun = writer_->Execute("BEGIN IMMEDIATE"); !begun.ok()) return finish(begun);
  // A lone write needs no savepoint: its failure rolls back the whole transaction.
  const bool alone = group.size() == 1;
  bool any_ok = false;
  for (PendingWrite* write : group) {
    if (!alone) {
      if (Status saved = writer_->Execute("SAVEPOINT grouped_write"); !saved.ok()) {
        (void)writer_->Execute("ROLLBACK");
        return finish(saved);
      }
    }
    bool ok = false;
    try {
      ok = (*write->work)(*writer_);
    } catch (...) {
      ok = false;  // its caller finds no result and reports an internal error
    }
    any_ok = any_ok || ok;
    if (!alone) {
      const Status closed = ok ? writer_->Execute("RELEASE grouped_write")
                               : writer_->Execute("ROLLBACK TO grouped_write; RELEASE grouped_write");
      if (!closed.ok()) {
        (void)writer_->Execute("ROLLBACK");
        return finish(closed);
      }
    }
  }
  if (!any_ok) {
    (void)writer_->Execute("ROLLBACK");
    return finish(Ok());
  }
  if (Status committed = writer_->Execute("COMMIT"); !committed.ok()) {
    (void)writer_->Execute("ROLLBACK");
    return finish(committed);
  }
  if (options_.after_commit) options_.after_commit();
  finish(Ok());
}

Result<std::vector<std::int64_t>> CollectInts(Statement& statement) {
  std::vector<std::int64_t> values;
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) return values;
    values.push_back(statement.ColumnInt(0));
  }
}

Result<std::unordered_map<std::int64_t, std::int64_t>> CollectIntMap(Statement& statement) {
  std::unordered_map<std::int64_t, std::int64_t> values;
  for (;;) {
    MINITOK_ASSIGN_OR_RETURN(const bool row, statement.Step());
    if (!row) return values;
    values[statement.ColumnInt(0)] = statement.ColumnInt(1);
  }
}

Result<std::vector<std::int64_t>> ReadCounts(Database& db, std::string_view sql, std::span<const std::int64_t> ids) {
  const std::string batch = IdArray(ids);
  return db.Read([&](Connection& c) -> Result<std::vector<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    select.Bind(1, std::string_view(batch));
    MINITOK_ASSIGN_OR_RETURN(const auto found, CollectIntMap(select));
    std::vector<std::int64_t> counts;
    counts.reserve(ids.size());
    for (const auto id : ids) {
      const auto it = found.find(id);
      counts.push_back(it != found.end() ? it->second : 0);
    }
    return counts;
  });
}

Result<std::vector<std::int64_t>> ReadOwnedIds(Database& db, std::string_view sql, std::int64_t owner,
                                               std::int64_t limit) {
  return db.Read([&](Connection& c) -> Result<std::vector<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    select.Bind(1, owner).Bind(2, limit);
    return CollectInts(select);
  });
}

Result<std::vector<std::int64_t>> ReadOwnedIdsAmong(Database& db, std::string_view sql, std::int64_t owner,
                                                    std::span<const std::int64_t> ids) {
  const std::string batch = IdArray(ids);
  return db.Read([&](Connection& c) -> Result<std::vector<std::int64_t>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    select.Bind(1, owner).Bind(2, std::string_view(batch));
    return CollectInts(select);
  });
}

Result<std::vector<std::array<std::int64_t, 2>>> ReadIntPairs(Database& db, std::string_view sql,
                                                              std::int64_t limit) {
  return db.Read([&](Connection& c) -> Result<std::vector<std::array<std::int64_t, 2>>> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(sql));
    select.Bind(1, limit);
    return CollectIntRows<2>(select);
  });
}

std::string IdArray(std::span<const std::int64_t> ids) {
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += std::to_string(ids[i]);
  }
  out.push_back(']');
  return out;
}

}  // namespace minitok::sql
