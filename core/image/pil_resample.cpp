#include "core/image/pil_resample.h"

#include "core/error.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace vora::core {
namespace {

// 32-bit accumulators hold 8-bit samples times coefficients with two bits of headroom.
constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr int32_t kHalf = 1 << (kPrecisionBits - 1);

double bicubicKernel(double x)
{
    constexpr double a = -0.5;
    x = std::fabs(x);
    if (x < 1.0) {
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    }
    if (x < 2.0) {
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    }
    return 0.0;
}

uint8_t clipToByte(int32_t accumulator)
{
    if (accumulator <= 0) {
        return 0;
    }
    if (accumulator >= (1 << kPrecisionBits << 8)) {
        return 255;
    }
    return static_cast<uint8_t>(accumulator >> kPrecisionBits);
}

// For each output sample, the run of source samples (in image coordinates, padding cut off) and
// their fixed-point weights.
struct Taps {
    std::vector<int> first;
    std::vector<int> count;
    std::vector<int32_t> weights; // stride per output sample
    int stride = 0;
};

int32_t toFixed(double w)
{
    const double scaled = w * (1 << kPrecisionBits);
    return static_cast<int32_t>(w < 0 ? scaled - 0.5 : scaled + 0.5);
}

Taps makeTaps(int canvasSize, int offset, int imageSize, int outSize)
{
    const double scale = static_cast<double>(canvasSize) / outSize;
    const double filterScale = std::max(scale, 1.0);
    const double support = 2.0 * filterScale;
    const double inverse = 1.0 / filterScale;
    Taps taps;
    taps.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
    taps.first.resize(outSize);
    taps.count.resize(outSize);
    taps.weights.assign(static_cast<size_t>(outSize) * taps.stride, 0);
    std::vector<double> w(taps.stride);
    for (int o = 0; o < outSize; ++o) {
        const double center = (o + 0.5) * scale;
        const int lo = std::max(static_cast<int>(center - support + 0.5), 0);
        const int hi = std::min(static_cast<int>(center + support + 0.5), canvasSize);
        double total = 0.0;
        for (int x = lo; x < hi; ++x) {
            w[x - lo] = bicubicKernel((x - center + 0.5) * inverse);
            total += w[x - lo];
        }
        // Keep the taps that fall on the image; those on padding would multiply zeros.
        const int imageLo = std::max(lo, offset);
        const int imageHi = std::min(hi, offset + imageSize);
        taps.first[o] = imageLo - offset;
        taps.count[o] = std::max(imageHi - imageLo, 0);
        for (int x = imageLo; x < imageHi; ++x) {
            const double normalised = total != 0.0 ? w[x - lo] / total : w[x - lo];
            taps.weights[static_cast<size_t>(o) * taps.stride + (x - imageLo)] = toFixed(normalised);
        }
    }
    return taps;
}

template <typename Body>
void forRanges(int count, int64_t workPerItem, Body body)
{
    const int64_t total = workPerItem * count;
    const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int threads = static_cast<int>(std::min<int64_t>({hardware, 8, std::max<int64_t>(1, total / 2'000'000), count}));
    if (threads <= 1) {
        body(0, count);
        return;
    }
    std::vector<std::jthread> workers;
    for (int t = 1; t < threads; ++t) {
        workers.emplace_back([=] { body(count * t / threads, count * (t + 1) / threads); });
    }
    body(0, count / threads);
}

// rows [0, rows) of `src` (row stride srcWidth*3) -> rows of outWidth pixels.
void horizontalPass(const uint8_t* src, int srcWidth, int rows, const Taps& taps, int outWidth, uint8_t* dst)
{
    forRanges(rows, int64_t(outWidth) * taps.stride, [&](int begin, int end) {
        for (int y = begin; y < end; ++y) {
            const uint8_t* row = src + static_cast<size_t>(y) * srcWidth * 3;
            uint8_t* out = dst + static_cast<size_t>(y) * outWidth * 3;
            for (int o = 0; o < outWidth; ++o) {
                const int32_t* w = taps.weights.data() + static_cast<size_t>(o) * taps.stride;
                const uint8_t* px = row + static_cast<size_t>(taps.first[o]) * 3;
                int32_t r = kHalf, g = kHalf, b = kHalf;
                for (int k = 0; k < taps.count[o]; ++k) {
                    r += px[3 * k] * w[k];
                    g += px[3 * k + 1] * w[k];
                    b += px[3 * k + 2] * w[k];
                }
                out[3 * o] = clipToByte(r);
                out[3 * o + 1] = clipToByte(g);
                out[3 * o + 2] = clipToByte(b);
            }
        }
    });
}

void verticalPass(const uint8_t* src, int width, const Taps& taps, int outHeight, uint8_t* dst)
{
    const size_t rowBytes = static_cast<size_t>(width) * 3;
    forRanges(outHeight, int64_t(rowBytes) * taps.stride, [&](int begin, int end) {
        std::vector<int32_t> acc(rowBytes);
        for (int o = begin; o < end; ++o) {
            std::fill(acc.begin(), acc.end(), kHalf);
            const int32_t* w = taps.weights.data() + static_cast<size_t>(o) * taps.stride;
            for (int k = 0; k < taps.count[o]; ++k) {
                const uint8_t* row = src + static_cast<size_t>(taps.first[o] + k) * rowBytes;
                const int32_t weight = w[k];
                for (size_t i = 0; i < rowBytes; ++i) {
                    acc[i] += row[i] * weight;
                }
            }
            uint8_t* out = dst + static_cast<size_t>(o) * rowBytes;
            for (size_t i = 0; i < rowBytes; ++i) {
                out[i] = clipToByte(acc[i]);
            }
        }
    });
}

} // namespace

std::vector<uint8_t> resampleBicubicLikePil(const DecodedImage& image, int canvasWidth, int canvasHeight,
                                            int offsetX, int offsetY, int outWidth, int outHeight)
{
    require(image.width > 0 && image.height > 0 &&
                image.rgb.size() == static_cast<size_t>(image.width) * image.height * 3,
            ErrorCode::InvalidArgument, "resample: the image buffer does not match its size");
    require(outWidth > 0 && outHeight > 0 && offsetX >= 0 && offsetY >= 0 &&
                offsetX + image.width <= canvasWidth && offsetY + image.height <= canvasHeight,
            ErrorCode::InvalidArgument, "resample: the image does not fit its canvas or the output is empty");
    const Taps horizontal = makeTaps(canvasWidth, offsetX, image.width, outWidth);
    const Taps vertical = makeTaps(canvasHeight, offsetY, image.height, outHeight);

    // Only the image rows are filtered horizontally: padding rows stay zero either way.
    std::vector<uint8_t> rows(static_cast<size_t>(image.height) * outWidth * 3);
    horizontalPass(image.rgb.data(), image.width, image.height, horizontal, outWidth, rows.data());
    std::vector<uint8_t> out(static_cast<size_t>(outHeight) * outWidth * 3);
    verticalPass(rows.data(), outWidth, vertical, outHeight, out.data());
    return out;
}

} // namespace vora::core
