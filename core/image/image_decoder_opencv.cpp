#include "core/error.h"
#include "core/image/image_decoder_backend.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <climits>

namespace vora::core {
namespace {

// PIL keeps the high byte of 16-bit colour samples but clamps 16-bit grey ("I;16") at 255.
uint8_t sixteenToEight(uint16_t v, bool clampGrey)
{
    if (clampGrey) {
        return static_cast<uint8_t>(v > 255 ? 255 : v);
    }
    return static_cast<uint8_t>(v >> 8);
}

void copySixteenBit(const cv::Mat& m, bool clampGrey, DecodedImage& out)
{
    const int channels = m.channels();
    for (int y = 0; y < m.rows; ++y) {
        const uint16_t* row = m.ptr<uint16_t>(y);
        uint8_t* dst = out.rgb.data() + static_cast<size_t>(y) * out.width * 3;
        for (int x = 0; x < m.cols; ++x) {
            const uint16_t* px = row + static_cast<size_t>(x) * channels;
            if (channels < 3) {
                dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = sixteenToEight(px[0], clampGrey);
            } else {
                dst[3 * x] = sixteenToEight(px[2], false); // OpenCV orders colour samples BGR
                dst[3 * x + 1] = sixteenToEight(px[1], false);
                dst[3 * x + 2] = sixteenToEight(px[0], false);
            }
        }
    }
}

cv::Mat decodeMat(const std::vector<uint8_t>& bytes, const std::string& name)
{
    require(bytes.size() <= static_cast<size_t>(INT_MAX), ErrorCode::InvalidArgument, name + ": file too large");
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<uint8_t*>(bytes.data()));
    try {
        // Not IMREAD_UNCHANGED: that flag alone skips EXIF orientation. ANYCOLOR drops alpha like PIL.
        return cv::imdecode(raw, cv::IMREAD_ANYCOLOR | cv::IMREAD_ANYDEPTH);
    } catch (const cv::Exception& e) {
        throw Error(ErrorCode::CorruptFile, name + ": the decoder rejected the data: " + e.what());
    }
}

} // namespace

DecodedImage decodePixels(const std::vector<uint8_t>& bytes, const ImageHeader& header, const std::string& name)
{
    const std::string what = name + ": " + imageFormatName(header.format);
    const cv::Mat m = decodeMat(bytes, name);
    require(!m.empty(), ErrorCode::CorruptFile, what + " data could not be decoded (corrupt or truncated)");
    require(m.depth() == CV_8U || m.depth() == CV_16U, ErrorCode::UnsupportedFormat,
            what + " with floating-point or 32-bit samples is not supported");
    const bool sameSize = m.cols == header.width && m.rows == header.height;
    const bool rotated = m.cols == header.height && m.rows == header.width;
    require(sameSize || rotated, ErrorCode::CorruptFile, what + " decoded to a size its header does not state");

    DecodedImage out;
    out.width = m.cols;
    out.height = m.rows;
    out.rgb.resize(static_cast<size_t>(m.cols) * m.rows * 3);
    if (m.depth() == CV_16U) {
        copySixteenBit(m, header.sixteenBitGrey, out);
        return out;
    }
    cv::Mat dst(m.rows, m.cols, CV_8UC3, out.rgb.data());
    const int code = m.channels() == 1 ? cv::COLOR_GRAY2RGB : m.channels() == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB;
    cv::cvtColor(m, dst, code);
    require(dst.data == out.rgb.data(), ErrorCode::Internal, what + ": colour conversion reallocated its output");
    return out;
}

} // namespace vora::core
