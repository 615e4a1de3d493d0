#include "core/image/png_writer.h"

#include "core/error.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

namespace vora::core {

void writePng(const DecodedImage& image, const std::string& path)
{
    require(image.width > 0 && image.height > 0 && image.rgb.size() == size_t(image.width) * image.height * 3,
            ErrorCode::InvalidArgument, path + ": an RGB picture whose size and bytes disagree");
    const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<uint8_t> bytes;
    require(cv::imencode(".png", bgr, bytes), ErrorCode::Io, path + ": PNG encoding failed");
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    require(file.good(), ErrorCode::Io, "cannot write " + path);
}

} // namespace vora::core
