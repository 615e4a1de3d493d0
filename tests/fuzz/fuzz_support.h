#pragma once
// Shared by the libFuzzer harnesses: each feeds untrusted bytes to one parser and lets only
// vora::core::Error (a refusal with a message) pass. Any other exception escaping, a sanitizer
// report or a crash is a finding. Torch-free: the harnesses link only the parsers they test.
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace vora::fuzz {

inline std::string text(const uint8_t* data, size_t size)
{
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Reads every byte of a range the parser says is inside the input: ASan reports it if it is not.
inline void touch(const uint8_t* begin, size_t size)
{
    if (size > 0) {
        volatile uint8_t sink = begin[0];
        sink = begin[size - 1];
        (void)sink;
    }
}

} // namespace vora::fuzz
