/* The favorite action as a plain SQLite loop: the floor that minitok's HTTP favorite action is
 * compared with (bench/load/run.sh compiles it with `cc -O2 ... -lsqlite3` and pins it to the
 * server's core).
 *
 *   sqlite_loop DB_PATH SECONDS USERS VIDEOS [PRELOAD_LIKES [FIRST_USER [SYNCHRONOUS]]]
 *
 * If DB_PATH exists it is used as it is: run.sh passes a copy of the seeded (and benchmarked)
 * favorite.db, so that the loop works on the very tables minitok had. Otherwise it is created with
 * the favorite service's schema (services/favorite/migrations/001_init.sql) and PRELOAD_LIKES
 * random likes with their counters. It is opened the way minitok opens its databases (WAL,
 * synchronous=NORMAL, or FULL as with "durability": "power-loss" when SYNCHRONOUS is FULL;
 * foreign_keys=ON, default cache). Then, for SECONDS, it runs the transaction
 * of FavoriteServiceSqlite::Like with prepared statements:
 *   BEGIN IMMEDIATE; INSERT OR IGNORE INTO likes ...; (if inserted) three counter upserts; COMMIT
 * over distinct (user, video) pairs walked like the wrk script does (1,000 users from FIRST_USER,
 * cycling fastest; videos from VIDEOS down). Prints one line
 * "SQLITE_LOOP transactions=N inserted=K seconds=S tps=X".
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static const char *kSchema =
    "CREATE TABLE likes (user_id INTEGER NOT NULL, video_id INTEGER NOT NULL, author_id INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL, PRIMARY KEY (user_id, video_id)) WITHOUT ROWID;"
    "CREATE INDEX likes_by_user_time ON likes (user_id, created_ms DESC, video_id DESC);"
    "CREATE TABLE video_stats (video_id INTEGER PRIMARY KEY, favorite_count INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE user_stats (user_id INTEGER PRIMARY KEY, favorite_count INTEGER NOT NULL DEFAULT 0,"
    " total_favorited INTEGER NOT NULL DEFAULT 0);";

static sqlite3 *db;

static void check(int rc, const char *what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    fprintf(stderr, "sqlite_loop: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
  }
}

static void exec(const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "sqlite_loop: %s: %s\n", sql, err ? err : "?");
    exit(1);
  }
}

static sqlite3_stmt *prepare(const char *sql) {
  sqlite3_stmt *s = NULL;
  check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL), sql);
  return s;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run(sqlite3_stmt *s) {
  check(sqlite3_step(s), sqlite3_sql(s));
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

static sqlite3_stmt *insert_like, *add_video, *add_liker, *add_author, *begin, *commit;

/* One like, exactly as FavoriteServiceSqlite::Like does it; returns 1 when a row was inserted. */
static int like(int64_t user, int64_t video, int64_t author, int64_t ms, int own_transaction) {
  if (own_transaction) run(begin);
  sqlite3_bind_int64(insert_like, 1, user);
  sqlite3_bind_int64(insert_like, 2, video);
  sqlite3_bind_int64(insert_like, 3, author);
  sqlite3_bind_int64(insert_like, 4, ms);
  run(insert_like);
  int inserted = sqlite3_changes(db) > 0;
  if (inserted) {
    sqlite3_bind_int64(add_video, 1, video);
    sqlite3_bind_int64(add_video, 2, 1);
    run(add_video);
    sqlite3_bind_int64(add_liker, 1, user);
    sqlite3_bind_int64(add_liker, 2, 1);
    run(add_liker);
    sqlite3_bind_int64(add_author, 1, author);
    sqlite3_bind_int64(add_author, 2, 1);
    run(add_author);
  }
  if (own_transaction) run(commit);
  return inserted;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 8) {
    fprintf(stderr, "usage: sqlite_loop DB_PATH SECONDS USERS VIDEOS [PRELOAD_LIKES [FIRST_USER [SYNCHRONOUS]]]\n");
    return 2;
  }
  const int full_sync = argc > 7 && strcmp(argv[7], "FULL") == 0;
  if (argc > 7 && !full_sync && strcmp(argv[7], "NORMAL") != 0) {
    fprintf(stderr, "sqlite_loop: SYNCHRONOUS must be NORMAL or FULL\n");
    return 2;
  }
  const char *path = argv[1];
  const double seconds = atof(argv[2]);
  const int64_t users = atoll(argv[3]), videos = atoll(argv[4]);
  const int64_t preload = argc > 5 ? atoll(argv[5]) : 0, first_user = argc > 6 ? atoll(argv[6]) : 1;
  if (seconds <= 0 || users < 1 || videos < 1 || preload < 0 || first_user < 1 || first_user > users) {
    fprintf(stderr, "sqlite_loop: bad arguments\n");
    return 2;
  }
  const int fresh = access(path, F_OK) != 0;
  check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL),
        "open");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  exec(full_sync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                 : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (fresh) exec(kSchema);

  insert_like = prepare("INSERT OR IGNORE INTO likes (user_id, video_id, author_id, created_ms) VALUES (?, ?, ?, ?)");
  add_video = prepare("INSERT INTO video_stats (video_id, favorite_count) VALUES (?1, ?2) "
                      "ON CONFLICT (video_id) DO UPDATE SET favorite_count = favorite_count + ?2");
  add_liker = prepare("INSERT INTO user_stats (user_id, favorite_count) VALUES (?1, ?2) "
                      "ON CONFLICT (user_id) DO UPDATE SET favorite_count = favorite_count + ?2");
  add_author = prepare("INSERT INTO user_stats (user_id, total_favorited) VALUES (?1, ?2) "
                       "ON CONFLICT (user_id) DO UPDATE SET total_favorited = total_favorited + ?2");
  begin = prepare("BEGIN IMMEDIATE");
  commit = prepare("COMMIT");

  if (fresh && preload > 0) {
    /* Setup, not timed: user after user (so the B-trees grow mostly at their ends), each with
     * random videos skewed towards low ids, in one transaction with a large cache. */
    srand(12345);
    int64_t ms = now_ms() - preload;
    exec("PRAGMA cache_size=-1048576");
    exec("BEGIN");
    for (int64_t i = 0; i < preload; i++) {
      double r = (double)rand() / ((double)RAND_MAX + 1.0);
      int64_t video = 1 + (int64_t)((double)videos * r * r);
      int64_t user = 1 + (int64_t)((double)i * (double)users / (double)preload);
      like(user, video, 1 + (video % users), ms++, 0);
    }
    exec("COMMIT");
    exec("PRAGMA wal_checkpoint(TRUNCATE)");
    exec("PRAGMA cache_size=-2000"); /* back to SQLite's default, which minitok keeps */
  }

  /* Timed loop: distinct pairs, users cycling fastest, videos from the top down. */
  int64_t cycle = users - first_user + 1;
  if (cycle > 1000) cycle = 1000;
  int64_t n = 0, inserted = 0;
  const double start = now_s();
  double elapsed = 0;
  for (;;) {
    int64_t user = first_user + (n % cycle);
    int64_t video = videos - ((n / cycle) % videos);
    inserted += like(user, video, 1 + (video % users), now_ms(), 1);
    n++;
    if ((n & 63) == 0) {
      elapsed = now_s() - start;
      if (elapsed >= seconds) break;
    }
  }
  printf("SQLITE_LOOP transactions=%lld inserted=%lld seconds=%.3f tps=%.1f\n", (long long)n,
         (long long)inserted, elapsed, (double)n / elapsed);
  sqlite3_close_v2(db);
  return 0;
}
