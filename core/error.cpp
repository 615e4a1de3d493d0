#include "core/error.h"

namespace vora::core {

std::string_view errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::FileNotFound: return "file not found";
    case ErrorCode::Io: return "I/O error";
    case ErrorCode::CorruptFile: return "corrupt file";
    case ErrorCode::UnsupportedFormat: return "unsupported format";
    case ErrorCode::InvalidConfig: return "invalid configuration";
    case ErrorCode::MissingWeights: return "missing weights";
    case ErrorCode::ShapeMismatch: return "shape mismatch";
    case ErrorCode::DeviceUnavailable: return "device unavailable";
    case ErrorCode::OutOfMemory: return "out of memory";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::Internal: return "internal error";
    }
    return "unknown error";
}

Error::Error(ErrorCode code, const std::string& message)
    : std::runtime_error(message)
    , m_code(code)
{
}

} // namespace vora::core
