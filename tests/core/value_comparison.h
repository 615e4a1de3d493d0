#pragma once
// Element-by-element comparison of float grids against expected values (reference outputs), keeping the
// largest difference and how many values and grids were compared, so tests can assert both the
// tolerance and the count. QCOMPARE on a size mismatch fails the calling test function.
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace vora::testing {

struct ValueComparison {
    size_t values = 0;
    size_t grids = 0;
    double maxDiff = 0;

    void add(const std::vector<float>& actual, const std::vector<float>& expected)
    {
        QCOMPARE(actual.size(), expected.size());
        for (size_t i = 0; i < actual.size(); ++i) {
            maxDiff = std::max(maxDiff, std::abs(double(actual[i]) - double(expected[i])));
            ++values;
        }
        ++grids;
    }
};

} // namespace vora::testing
