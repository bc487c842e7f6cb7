#include "app/live_settings.h"

namespace minitok::app {

LiveSettings::LiveSettings(config::ServerConfig file, log::Logger& logger)
    : file_(std::move(file)), logger_(logger), current_(file_) {}

void LiveSettings::Update(const std::vector<std::string>& values) {
  config::ServerConfig next = file_;
  for (const auto& value : values) {
    config::ServerConfig candidate = next;
    auto merged = config::MergeLiveJsonText(value, candidate);
    if (merged.ok()) merged = config::Validate(candidate);
    if (!merged.ok()) {
      logger_.Warn("live settings: a value from etcd is left out: " + merged.error().message);
      continue;
    }
    next = std::move(candidate);
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
  for (const auto& [id, apply] : followers_) apply(current_);
  logger_.Info("live settings applied: log_level " + current_.log_level + ", " + std::to_string(values.size()) +
               " value(s) from etcd");
}

LiveSettings::Following LiveSettings::Follow(std::function<void(const config::ServerConfig&)> apply) {
  std::lock_guard lock(mutex_);
  apply(current_);
  const int id = next_id_++;
  followers_.emplace(id, std::move(apply));
  return Following(*this, id);
}

LiveSettings::Following::~Following() {
  std::lock_guard lock(settings_->mutex_);
  settings_->followers_.erase(id_);
}

}  // namespace minitok::app
