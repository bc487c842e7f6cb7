#pragma once
#include <string_view>

namespace minitok {

/// A file built into the binary (migrations, the web client, default images).
struct EmbeddedFile {
  std::string_view path;  ///< relative to the folder it was embedded from
  std::string_view bytes;
};

}  // namespace minitok
