#pragma once
// A permutation of 0..count-1 drawn from one seed, the same on every platform and standard library:
// Fisher-Yates with our own index draw from std::mt19937_64 (whose output the standard fixes). The
// trainer's epoch orders and --val-share's held-out samples each draw from a stream seeded their own way.
#include <cstddef>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace vora::training {

inline std::vector<size_t> seededOrder(uint64_t streamSeed, size_t count)
{
    std::vector<size_t> order(count);
    for (size_t i = 0; i < count; ++i) {
        order[i] = i;
    }
    std::mt19937_64 rng(streamSeed);
    for (size_t i = count; i > 1; --i) {
        std::swap(order[i - 1], order[rng() % i]);
    }
    return order;
}

} // namespace vora::training
