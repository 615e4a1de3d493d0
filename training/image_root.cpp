#include "training/image_root.h"

#include <algorithm>
#include <filesystem>

namespace vora::training {
namespace {

namespace fs = std::filesystem;

// Symlinks resolved as far as the path exists, the rest normalised: the same answer for a file that
// exists and one that does not.
fs::path resolved(const fs::path& path)
{
    std::error_code error;
    fs::path result = fs::weakly_canonical(fs::absolute(path, error), error);
    return error ? fs::absolute(path).lexically_normal() : result;
}

bool isInside(const fs::path& path, const fs::path& root)
{
    const auto [rootEnd, pathEnd] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
    // A trailing separator leaves one empty last element in root; it matches everything.
    return rootEnd == root.end() || (std::next(rootEnd) == root.end() && rootEnd->empty());
}

} // namespace

ResolvedFrame resolveFrame(const std::string& frame, const std::string& dataFile, const ImageRootPolicy& policy)
{
    const fs::path root = policy.root.empty() ? fs::path(dataFile).parent_path() : fs::path(policy.root);
    const fs::path named = fs::path(frame).is_absolute() ? fs::path(frame) : root / frame;
    if (policy.allowOutside) {
        return {named.string(), {}};
    }
    const fs::path realRoot = resolved(root.empty() ? fs::path(".") : root);
    const fs::path realFrame = resolved(named);
    if (!isInside(realFrame, realRoot)) {
        return {{}, "frame \"" + frame + "\" leads outside the image root " + realRoot.string()
                        + " (--allow-images-outside-root permits that)"};
    }
    return {realFrame.string(), {}};
}

} // namespace vora::training
