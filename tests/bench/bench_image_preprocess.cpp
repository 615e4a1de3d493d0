// Prints decode / preprocess timings for a large JPEG (not a test: no assertions on time).
//   build/dev/tests/bench_image_preprocess [IMAGE.jpg] [repetitions]
// Without IMAGE it encodes a 4000x3000 synthetic photo-like JPEG in memory first.
#include "core/image/image_decoder.h"
#include "core/image/image_preprocessor.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

namespace {

std::vector<uint8_t> syntheticJpeg()
{
    cv::Mat image(3000, 4000, CV_8UC3);
    cv::randu(image, cv::Scalar::all(0), cv::Scalar::all(255));
    cv::GaussianBlur(image, image, cv::Size(0, 0), 3.0); // photo-like: smooth with fine detail
    std::vector<uint8_t> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 90});
    return bytes;
}

double msSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv)
try {
    std::vector<uint8_t> bytes;
    if (argc > 1) {
        std::ifstream in(argv[1], std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
        bytes = syntheticJpeg();
    }
    const int repetitions = argc > 2 ? std::max(1, std::stoi(argv[2])) : 5;
    double bestDecode = 1e30, bestPreprocess = 1e30;
    vora::core::DecodedImage decoded;
    for (int i = 0; i < repetitions; ++i) {
        auto start = std::chrono::steady_clock::now();
        decoded = vora::core::decodeImageBytes(bytes);
        bestDecode = std::min(bestDecode, msSince(start));
        start = std::chrono::steady_clock::now();
        const auto out = vora::core::preprocessImage(decoded, vora::core::PreprocessConfig{});
        bestPreprocess = std::min(bestPreprocess, msSince(start));
    }
    std::printf("%dx%d JPEG (%zu bytes), best of %d, %d OpenCV threads: decode %.1f ms, pad+resize+normalise %.1f ms, "
                "total %.1f ms\n",
                decoded.width, decoded.height, bytes.size(), repetitions, cv::getNumThreads(), bestDecode,
                bestPreprocess, bestDecode + bestPreprocess);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_image_preprocess: %s\n", e.what());
    return 1;
}
