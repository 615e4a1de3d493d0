// Without OpenCV (the headless GPU build) images arrive as binary PPM/PGM (decoded by our own code
// before this backend is asked) or as pixel tensors made by `vora preprocess`.
#ifndef VORA_HAVE_OPENCV
#include "core/error.h"
#include "core/image/image_decoder_backend.h"

namespace vora::core {

DecodedImage decodePixels(const std::vector<uint8_t>&, const ImageHeader& header, const std::string& name)
{
    throw Error(ErrorCode::UnsupportedFormat,
                name + ": cannot decode " + imageFormatName(header.format) +
                    ": this build of VoRA Studio was built without OpenCV; pass a pixel tensor from "
                    "`vora preprocess`, or convert the image to binary PPM (P6)");
}

} // namespace vora::core
#endif
