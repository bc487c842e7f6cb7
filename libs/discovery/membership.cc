#include "libs/discovery/membership.h"

#include <algorithm>

#include <boost/json.hpp>

namespace minitok::discovery {

std::string ServicesPrefix(std::string_view cluster) { return std::string(cluster) + "/services/"; }

std::string InstanceKey(std::string_view cluster, std::string_view service, std::string_view instance) {
  return ServicesPrefix(cluster) + std::string(service) + "/" + std::string(instance);
}

std::string InstanceValue(std::string_view address, std::int64_t started_ms) {
  return boost::json::serialize(boost::json::object{{"address", address}, {"started_ms", started_ms}});
}

std::optional<std::string> AddressOf(std::string_view value) {
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(value, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto* address = parsed.as_object().if_contains("address");
  if (address == nullptr || !address->is_string() || address->as_string().empty()) return std::nullopt;
  return std::string(address->as_string());
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last < 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::optional<std::string> Membership::ServiceOf(std::string_view key) const {
  if (!key.starts_with(prefix_)) return std::nullopt;
  key.remove_prefix(prefix_.size());
  const auto slash = key.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == key.size()) return std::nullopt;
  return std::string(key.substr(0, slash));
}

void Membership::Reset(const std::vector<std::pair<std::string, std::string>>& listing) {
  addresses_.clear();
  for (const auto& [key, value] : listing) (void)Put(key, value);
}

std::optional<std::string> Membership::Put(std::string_view key, std::string_view value) {
  auto service = ServiceOf(key);
  const auto address = AddressOf(value);
  if (!service || !address) return std::nullopt;
  addresses_.insert_or_assign(std::string(key), *address);
  return service;
}

std::optional<std::string> Membership::Remove(std::string_view key) {
  const auto found = addresses_.find(key);
  if (found == addresses_.end()) return std::nullopt;
  addresses_.erase(found);
  return ServiceOf(key);
}

std::vector<std::string> Membership::Addresses(std::string_view service) const {
  const std::string service_prefix = prefix_ + std::string(service) + "/";
  std::vector<std::string> addresses;
  for (auto it = addresses_.lower_bound(service_prefix); it != addresses_.end() && it->first.starts_with(service_prefix);
       ++it) {
    addresses.push_back(it->second);
  }
  std::sort(addresses.begin(), addresses.end());
  return addresses;
}

}  // namespace minitok::discovery
