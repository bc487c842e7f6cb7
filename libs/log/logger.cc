#include "libs/log/logger.h"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <string>

#include "libs/core/clock.h"
#include "libs/json/json_writer.h"

namespace minitok::log {

struct Logger::Impl {
  std::shared_ptr<spdlog::details::thread_pool> pool =
      std::make_shared<spdlog::details::thread_pool>(8192, 1);
  std::shared_ptr<spdlog::async_logger> logger;
};

Logger::Logger() : impl_(std::make_unique<Impl>()) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  // Lines that do not fit the queue are dropped rather than blocking a request.
  impl_->logger = std::make_shared<spdlog::async_logger>(
      "minitok", std::move(sink), impl_->pool, spdlog::async_overflow_policy::overrun_oldest);
  impl_->logger->set_pattern("%v");
}

Logger::~Logger() { Flush(); }

void Logger::Raw(std::string_view line) { impl_->logger->info("{}", line); }

void Logger::Write(Level level, std::string_view message) {
  static constexpr std::string_view kNames[] = {"info", "warn", "error"};
  json::JsonWriter line;
  line.BeginObject()
      .Member("ts_ms", SystemClock().NowMs())
      .Member("level", kNames[static_cast<int>(level)])
      .Member("msg", message)
      .EndObject();
  impl_->logger->info("{}", line.str());
}

void Logger::Flush() { impl_->logger->flush(); }

}  // namespace minitok::log
