#pragma once
// Little-endian reads from a byte range that never pass its end: every read first checks that the
// bytes are there and otherwise throws Error(CorruptFile) naming the file, the field being read
// and the byte position. A limit below the end (the header cap) gives its own message.
// Plain C++ (no torch).
#include "core/error.h"

#include <cstdint>
#include <span>
#include <string>

namespace vora::core {

class GgufByteReader {
public:
    // Reads bytes[0, limit); limit <= bytes.size(). `file` names the file in messages.
    GgufByteReader(std::span<const uint8_t> bytes, uint64_t limit, std::string file)
        : m_bytes(bytes), m_limit(limit), m_file(std::move(file))
    {
    }

    uint64_t position() const { return m_position; }
    uint64_t remaining() const { return m_limit - m_position; }
    const std::string& file() const { return m_file; }

    [[noreturn]] void fail(const std::string& field, const std::string& what) const
    {
        throw Error(ErrorCode::CorruptFile,
                    m_file + ": " + field + ": " + what + " (at byte " + std::to_string(m_position) + ")");
    }

    std::span<const uint8_t> take(uint64_t count, const std::string& field)
    {
        if (count > remaining()) {
            if (m_limit < m_bytes.size() && count <= m_bytes.size() - m_position) {
                fail(field, "the GGUF header is larger than the " + std::to_string(m_limit >> 20)
                                + " MiB this reader accepts");
            }
            fail(field, "needs " + std::to_string(count) + " bytes but the file ends after "
                            + std::to_string(remaining()));
        }
        const auto out = m_bytes.subspan(m_position, count);
        m_position += count;
        return out;
    }

    uint64_t unsignedLe(uint32_t size, const std::string& field)
    {
        const auto bytes = take(size, field);
        uint64_t value = 0;
        for (uint32_t i = 0; i < size; ++i) {
            value |= static_cast<uint64_t>(bytes[i]) << (8 * i);
        }
        return value;
    }

    uint32_t u32(const std::string& field) { return static_cast<uint32_t>(unsignedLe(4, field)); }
    uint64_t u64(const std::string& field) { return unsignedLe(8, field); }

    // A GGUF string: u64 byte length, then the bytes (not NUL-terminated). The length is checked
    // against maxBytes and the bytes left before anything is allocated.
    std::string string(const std::string& field, uint64_t maxBytes)
    {
        const uint64_t length = u64(field + " length");
        if (length > maxBytes) {
            fail(field, "length " + std::to_string(length) + " exceeds the limit of " + std::to_string(maxBytes)
                            + " bytes");
        }
        const auto bytes = take(length, field);
        return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }

private:
    std::span<const uint8_t> m_bytes;
    uint64_t m_limit;
    std::string m_file;
    uint64_t m_position = 0;
};

} // namespace vora::core
