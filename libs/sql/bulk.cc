#include "libs/sql/bulk.h"

#include <algorithm>
#include <string>
#include <vector>

namespace minitok::sql {

Status BulkRun(Database& db, std::string_view statement, std::int64_t count,
               const std::function<bool(Statement&, std::int64_t)>& bind, std::int64_t batch) {
  for (std::int64_t start = 0; start < count; start += batch) {
    const std::int64_t end = std::min(count, start + batch);
    const Status written = db.Write([&](Connection& c) -> Status {
      for (std::int64_t i = start; i < end; ++i) {
        MINITOK_ASSIGN_OR_RETURN(auto insert, c.Prepare(statement));
        if (!bind(insert, i)) continue;
        MINITOK_RETURN_IF_ERROR(insert.Run());
      }
      return Ok();
    });
    if (!written.ok()) return written;
  }
  return Ok();
}

Status RunScript(Database& db, std::string_view script) {
  return db.Write([&](Connection& c) -> Status { return c.Execute(std::string(script)); });
}

Result<std::int64_t> QueryInt(Database& db, std::string_view query) {
  return db.Read([&](Connection& c) -> Result<std::int64_t> {
    MINITOK_ASSIGN_OR_RETURN(auto select, c.Prepare(query));
    MINITOK_ASSIGN_OR_RETURN(const bool row, select.Step());
    return row ? select.ColumnInt(0) : 0;
  });
}

Status Recount(Database& db, std::span<const CounterAudit> counters) {
  std::string script;
  std::vector<std::string_view> emptied;
  for (const auto& c : counters) {
    if (std::find(emptied.begin(), emptied.end(), c.table) != emptied.end()) continue;
    emptied.push_back(c.table);
    script += "DELETE FROM " + std::string(c.table) + ";";
  }
  for (const auto& c : counters) {
    const std::string key(c.key);
    const std::string column(c.column);
    // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
    script += "INSERT INTO " + std::string(c.table) + " (" + key + ", " + column + ") SELECT " + key +
              ", n FROM (" + std::string(c.actual) + ") WHERE true ON CONFLICT (" + key + ") DO UPDATE SET " +
              column + " = excluded." + column + ";";
  }
  return RunScript(db, script);
}

Result<std::int64_t> CountMismatches(Database& db, const CounterAudit& a) {
  const std::string key(a.key);
  const std::string column(a.column);
  const std::string table(a.table);
  return QueryInt(db, "WITH actual AS (" + std::string(a.actual) + ") SELECT "
                      "(SELECT COUNT(*) FROM actual a LEFT JOIN " + table + " s USING (" + key + ") "
                      " WHERE COALESCE(s." + column + ", 0) != a.n) + "
                      "(SELECT COUNT(*) FROM " + table + " s LEFT JOIN actual a USING (" + key + ") "
                      " WHERE s." + column + " != COALESCE(a.n, 0))");
}

Result<std::int64_t> CountMismatches(Database& db, std::span<const CounterAudit> audits) {
  std::int64_t mismatches = 0;
  for (const auto& audit : audits) {
    MINITOK_ASSIGN_OR_RETURN(const std::int64_t found, CountMismatches(db, audit));
    mismatches += found;
  }
  return mismatches;
}

}  // namespace minitok::sql
