#include "core/attention/image_spans.h"

#include "core/error.h"

#include <string>

namespace vora::core {

std::vector<ImageSpan> imageSpans(const std::vector<uint8_t>& isImage, const std::vector<ImagePixels>& images,
                                  int patchSize)
{
    std::vector<ImageSpan> spans;
    const auto length = static_cast<int64_t>(isImage.size());
    int64_t cursor = 0;
    for (size_t i = 0; i < images.size(); ++i) {
        while (cursor < length && !isImage[static_cast<size_t>(cursor)]) {
            ++cursor;
        }
        const ImageSpan span{cursor, images[i].height / patchSize, images[i].width / patchSize};
        bool fits = cursor + span.patches() <= length;
        for (int64_t p = cursor; fits && p < cursor + span.patches(); ++p) {
            fits = isImage[static_cast<size_t>(p)] != 0;
        }
        require(fits && span.patches() > 0, ErrorCode::InvalidArgument,
                "image " + std::to_string(i) + " (" + std::to_string(span.gridHeight) + "x"
                    + std::to_string(span.gridWidth) + " patches) does not match the sequence's image positions");
        spans.push_back(span);
        cursor += span.patches();
    }
    return spans;
}

} // namespace vora::core
