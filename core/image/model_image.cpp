#include "core/image/model_image.h"

#include "core/error.h"
#include "core/image/image_decoder.h"
#include "core/safetensors/safetensors_file.h"

#include <cstring>
#include <filesystem>

namespace vora::core {

bool isPixelFile(const std::string& path)
{
    return std::filesystem::path(path).extension() == ".safetensors";
}

PreprocessedImage loadModelImage(const std::string& path, const PreprocessConfig& config)
{
    if (!isPixelFile(path)) {
        return preprocessImage(decodeImageFile(path), config);
    }
    const auto file = SafetensorsFile::open(path);
    require(file->contains("pixel_values"), ErrorCode::CorruptFile, path + ": no \"pixel_values\" tensor");
    const TensorInfo& info = file->info("pixel_values");
    require(info.dtype == DType::F32 && info.shape.size() == 4 && info.shape[0] == 1 && info.shape[1] == 3,
            ErrorCode::ShapeMismatch, path + ": pixel_values must be F32 [1, 3, H, W], found " + info.describe());
    require(info.shape[2] % config.patchSize == 0 && info.shape[3] % config.patchSize == 0, ErrorCode::ShapeMismatch,
            path + ": pixel_values " + info.describe() + " is not a multiple of the " + std::to_string(config.patchSize)
                + "-pixel patch");
    PreprocessedImage image;
    image.height = static_cast<int>(info.shape[2]);
    image.width = static_cast<int>(info.shape[3]);
    image.pixels.resize(static_cast<size_t>(info.elementCount()));
    std::memcpy(image.pixels.data(), file->data(info), image.pixels.size() * sizeof(float));
    // The original picture is unknown: the geometry describes the pixel grid itself (not a picture that
    // preprocessing would still pad and resize: that would claim the config's grid, not this one).
    ImageGeometry& g = image.geometry;
    g.originalWidth = g.resizedWidth = image.width;
    g.originalHeight = g.resizedHeight = image.height;
    g.scale = 1.0;
    g.patchSize = config.patchSize;
    g.gridWidth = image.width / config.patchSize;
    g.gridHeight = image.height / config.patchSize;
    return image;
}

} // namespace vora::core
