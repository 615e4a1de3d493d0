#pragma once
// A folder built under a temporary name beside its target and renamed to the target only when
// complete: a crash or a failure leaves nothing under the target's name, so a half-written model,
// checkpoint or import is never taken for a complete one. Plain C++ (no torch).
#include <filesystem>

namespace vora::core {

class StagingFolder {
public:
    // Creates "<parent>/.<name>.partial-<pid>" for target (creating parent if needed), after
    // removing what killed builders of the same target left (their process is gone).
    explicit StagingFolder(std::filesystem::path target);
    ~StagingFolder(); // removes the folder unless committed
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;

    const std::filesystem::path& path() const { return m_path; }
    const std::filesystem::path& target() const { return m_target; }
    enum class Existing { Refuse, Exchange };
    // Syncs the folder, renames it to the target and syncs the parent. A target that exists by then
    // is refused (rename fails), or with Exchange swapped atomically with the staging folder and
    // removed afterwards, so the target's name never stands empty. Throws Error(Io); the staging
    // folder is then removed by the destructor.
    void commit(Existing existing = Existing::Refuse);

private:
    std::filesystem::path m_target;
    std::filesystem::path m_path;
    bool m_committed = false;
};

// Removes leftovers of killed builds of target: staging folders whose process no longer runs.
void removeStaleStaging(const std::filesystem::path& target);

} // namespace vora::core
