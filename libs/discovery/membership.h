#pragma once
// What etcd holds about a cluster's service instances, as keys and values, and the view of it a
// client keeps: `<cluster>/services/<service>/<instance>` -> {"address":"HOST:PORT","started_ms":N}.
// Pure values, no I/O: the etcd sessions (etcd.h) feed it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace minitok::discovery {

/// "<cluster>/services/": every instance key starts with it.
std::string ServicesPrefix(std::string_view cluster);
std::string InstanceKey(std::string_view cluster, std::string_view service, std::string_view instance);
std::string InstanceValue(std::string_view address, std::int64_t started_ms);
/// The address in an instance value; none when the value is not one.
std::optional<std::string> AddressOf(std::string_view value);
/// The smallest key after every key that starts with `prefix` (etcd's range_end for a prefix).
std::string PrefixEnd(std::string_view prefix);

/// The live instances of every service of one cluster, by key.
class Membership {
 public:
  explicit Membership(std::string_view cluster) : prefix_(ServicesPrefix(cluster)) {}

  /// Replaces everything with a full listing (key, value pairs).
  void Reset(const std::vector<std::pair<std::string, std::string>>& listing);
  /// An instance registered (or re-registered); returns its service, none for a foreign key.
  std::optional<std::string> Put(std::string_view key, std::string_view value);
  /// An instance left; returns its service, none for a foreign or unknown key.
  std::optional<std::string> Remove(std::string_view key);
  /// The addresses of `service`'s instances, sorted.
  std::vector<std::string> Addresses(std::string_view service) const;

 private:
  std::optional<std::string> ServiceOf(std::string_view key) const;

  std::string prefix_;
  std::map<std::string, std::string, std::less<>> addresses_;  ///< key -> address
};

}  // namespace minitok::discovery
