#pragma once
// The distillation teacher's config.json (see distillation.h for the full layout). Plain C++.
#include <cstdint>
#include <string>

namespace vora::training {

struct TeacherConfig {
    int64_t width = 0;
    int heads = 0;
    int layers = 0;
    int64_t intermediate = 0;
    int patchSize = 14;
    int imageSize = 448;
    double eps = 1e-5;
};

// Throws core::Error(FileNotFound | InvalidConfig) naming the file.
TeacherConfig loadTeacherConfig(const std::string& dir);

} // namespace vora::training
