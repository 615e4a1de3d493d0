// describeException (core/error.h): kept apart from error.cpp, which stays free of torch headers
// for the torch-free parsers and their fuzz harnesses.
#include "core/error.h"

#include <c10/util/Exception.h>

namespace vora::core {

std::string describeException(const std::exception& error)
{
    if (const auto* torchError = dynamic_cast<const c10::Error*>(&error)) {
        // what() appends a 20-line C++ backtrace that tells a user nothing.
        return "LibTorch: " + std::string(torchError->what_without_backtrace());
    }
    return error.what();
}

} // namespace vora::core
