#pragma once
// The one error type vora_core throws. Every layer catches it once at its boundary (worker slot,
// CLI main) and turns it into a signal or an exit code; messages carry the context a user needs
// (file, tensor name, shape) so they can be shown as they are.
#include <stdexcept>
#include <string>
#include <string_view>

namespace vora::core {

enum class ErrorCode {
    InvalidArgument,   // a caller passed something unusable (bad flag value, wrong shape)
    FileNotFound,
    Io,                // the OS refused a read or write
    CorruptFile,       // a file's bytes contradict its own format
    UnsupportedFormat, // a well-formed file this runtime does not handle (dtype, architecture)
    InvalidConfig,     // config.json / generation_config.json / tokenizer files disagree with the model
    MissingWeights,
    ShapeMismatch,
    DeviceUnavailable, // CUDA asked for and absent, or out of memory
    OutOfMemory,
    Cancelled,
    Internal,
};

std::string_view errorCodeName(ErrorCode code);

class Error : public std::runtime_error {
public:
    Error(ErrorCode code, const std::string& message);

    ErrorCode code() const noexcept { return m_code; }

private:
    ErrorCode m_code;
};

// What a boundary (CLI main, worker slot) shows for any exception: an Error's message as it is,
// LibTorch's errors without the C++ backtrace they carry (core/exception_message.cpp, the one file
// that needs the torch headers for it), anything else's what().
std::string describeException(const std::exception& error);

// Throws Error(code, message) when condition is false. For checks on untrusted input.
inline void require(bool condition, ErrorCode code, const std::string& message)
{
    if (!condition) {
        throw Error(code, message);
    }
}

} // namespace vora::core
