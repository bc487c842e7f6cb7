#pragma once
// Values every service's adapters put on and take off the wire: pages and batches of ids.

#include <cstdint>
#include <span>

#include <google/protobuf/repeated_field.h>

#include "libs/core/page.h"
#include "minitok/common/v1/page.pb.h"

namespace minitok::rpc {

inline void ToWire(const Page& page, common::v1::Page* wire) {
  wire->set_offset(page.offset);
  wire->set_limit(page.limit);
}

inline Page FromWire(const common::v1::Page& wire) { return {.offset = wire.offset(), .limit = wire.limit()}; }

inline std::span<const std::int64_t> FromWire(const google::protobuf::RepeatedField<std::int64_t>& ids) {
  return {ids.data(), static_cast<std::size_t>(ids.size())};
}

}  // namespace minitok::rpc
