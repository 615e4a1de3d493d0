#include "core/image/image_decoder.h"

#include "core/error.h"
#include "core/image/image_decoder_backend.h"
#include "core/image/image_header.h"
#include "core/image/netpbm_decoder.h"

#include <filesystem>
#include <fstream>

namespace vora::core {

DecodedImage decodeImageFile(const std::string& path, const DecodeLimits& limits)
{
    std::error_code ec;
    require(std::filesystem::is_regular_file(path, ec), ErrorCode::FileNotFound, path + ": no such image file");
    const auto size = std::filesystem::file_size(path, ec);
    require(!ec, ErrorCode::Io, path + ": cannot read the file size: " + ec.message());
    require(static_cast<int64_t>(size) <= limits.maxFileBytes, ErrorCode::InvalidArgument,
            path + ": file of " + std::to_string(size) + " bytes is over the limit of " +
                std::to_string(limits.maxFileBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    require(in.good(), ErrorCode::Io, path + ": cannot open for reading");
    std::vector<uint8_t> bytes(size);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    require(in.gcount() == static_cast<std::streamsize>(size), ErrorCode::Io, path + ": short read");
    return decodeImageBytes(bytes, limits, path);
}

DecodedImage decodeImageBytes(const std::vector<uint8_t>& bytes, const DecodeLimits& limits,
                              const std::string& nameForErrors)
{
    require(static_cast<int64_t>(bytes.size()) <= limits.maxFileBytes, ErrorCode::InvalidArgument,
            nameForErrors + ": " + std::to_string(bytes.size()) + " bytes is over the limit of " +
                std::to_string(limits.maxFileBytes) + " bytes");
    const ImageHeader header = probeImageHeader(bytes.data(), bytes.size(), nameForErrors);
    const double pixels = static_cast<double>(header.width) * static_cast<double>(header.height);
    require(pixels <= static_cast<double>(limits.maxPixels), ErrorCode::InvalidArgument,
            nameForErrors + ": " + imageFormatName(header.format) + " of " + std::to_string(header.width) + "x" +
                std::to_string(header.height) + " pixels is over the limit of " + std::to_string(limits.maxPixels) +
                " pixels (decompression-bomb guard)");
    // Netpbm is ours in every build (same pixels with and without OpenCV); the rest goes to the backend.
    DecodedImage image = isNetpbm(header.format) ? decodeNetpbm(bytes, header, nameForErrors)
                                                 : decodePixels(bytes, header, nameForErrors);
    require(image.width > 0 && image.height > 0 &&
                image.rgb.size() == static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3,
            ErrorCode::Internal, nameForErrors + ": decoder returned an inconsistent buffer");
    return image;
}

} // namespace vora::core
