#include "core/io/remove_tree.h"

namespace vora::core {

namespace fs = std::filesystem;

namespace {

// Removes what it can; the first failure is kept in error.
void removeWhatCan(const fs::path& path, std::error_code& error)
{
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(path, ec);
    if (!fs::exists(status)) {
        return;
    }
    if (fs::is_directory(status)) {
        fs::directory_iterator it(path, ec);
        for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
            removeWhatCan(it->path(), error);
        }
    }
    if (!ec) {
        fs::remove(path, ec);
    }
    if (ec && !error) {
        error = ec;
    }
}

} // namespace

void removeTree(const fs::path& path, std::error_code& error)
{
    error.clear();
    removeWhatCan(path, error);
}

} // namespace vora::core
