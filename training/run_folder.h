#pragma once
// The run folder (--out) of `vora train`: what a new run, a resumed run and an overwriting run may
// find there, and the lock that keeps a second trainer out of it while a run is alive (the app
// reads the same lock to tell a live run from a dead one). Plain C++ (no torch).
#include <string>

namespace vora::training {

// An exclusive lock on OUT/.lock for the life of the object (flock: the OS drops it when the
// process dies, so a killed run never leaves a stale lock). The file holds the owner's pid.
class RunFolderLock {
public:
    // Throws core::Error(InvalidArgument) naming the folder and the owner's pid when it is locked.
    explicit RunFolderLock(const std::string& outDir);
    ~RunFolderLock();
    RunFolderLock(const RunFolderLock&) = delete;
    RunFolderLock& operator=(const RunFolderLock&) = delete;

private:
    int m_fd = -1;
};

// True while a live process holds outDir's lock.
bool runFolderIsInUse(const std::string& outDir);

// True when outDir holds a run: a `latest` file or a finished checkpoint folder.
bool holdsRun(const std::string& outDir);

// Makes outDir ready for a run and returns its lock. resume: outDir must hold a run. Otherwise it
// must not, unless overwrite, which renames the old run aside (OUT.replaced-UNIXTIME) instead of
// mixing its checkpoints with the new ones. Throws core::Error(InvalidArgument | Io).
[[nodiscard]] RunFolderLock openRunFolder(const std::string& outDir, bool resume, bool overwrite);

} // namespace vora::training
