#include "tests/support/temp_dir.h"

#include <cstdlib>
#include <stdexcept>

namespace minitok::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "minitok-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace minitok::testing
