#pragma once
// Deletes a folder and everything under it without fs::remove_all: on the GPU machine (gVisor, GCC 13's
// libstdc++) remove_all's descriptor-relative walk segfaulted inside checkpoint pruning
// (docs/demo-model.md, run 1). A plain walk with directory_iterator and remove does the same job.
// Symlinks are removed, never followed. Plain C++ (no torch).
#include <filesystem>
#include <system_error>

namespace vora::core {

// Removes what it can and leaves the first failure in error (cleared on success); a missing path is
// success.
void removeTree(const std::filesystem::path& path, std::error_code& error);

} // namespace vora::core
