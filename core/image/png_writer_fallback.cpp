// Without OpenCV (the headless GPU build) there is no PNG encoder; overlays are drawn where OpenCV is.
#ifndef VORA_HAVE_OPENCV
#include "core/error.h"
#include "core/image/png_writer.h"

namespace vora::core {

void writePng(const DecodedImage&, const std::string& path)
{
    throw Error(ErrorCode::UnsupportedFormat,
                path + ": this build of VoRA Studio was built without OpenCV and cannot write PNG files");
}

} // namespace vora::core
#endif
