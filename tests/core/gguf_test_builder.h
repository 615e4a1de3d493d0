#pragma once
// Builds GGUF bytes field by field for the hostile-file tests: a valid small file by default,
// with every count, length, type tag and offset open to being set to something a reader must
// refuse. Independent of core/gguf (it writes the format, it does not read it).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gguf_test {

constexpr uint32_t kMagic = 0x46554747;
constexpr uint32_t kTypeU32 = 4, kTypeString = 8, kTypeArray = 9, kTypeU8 = 0, kTypeBool = 7;
constexpr uint32_t kGgmlF32 = 0, kGgmlQ4_0 = 2;

inline void putU32(std::string& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
}

inline void putU64(std::string& out, uint64_t v)
{
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    }
}

inline void putString(std::string& out, std::string_view s, std::optional<uint64_t> length = std::nullopt)
{
    putU64(out, length.value_or(s.size()));
    out.append(s);
}

// Encoded key/value entries.
inline std::string kvU32(std::string_view key, uint32_t value)
{
    std::string out;
    putString(out, key);
    putU32(out, kTypeU32);
    putU32(out, value);
    return out;
}

inline std::string kvString(std::string_view key, std::string_view value, std::optional<uint64_t> length = std::nullopt)
{
    std::string out;
    putString(out, key);
    putU32(out, kTypeString);
    putString(out, value, length);
    return out;
}

// An array entry: element type, count, then `payload` as given (so counts can lie).
inline std::string kvArray(std::string_view key, uint32_t elementType, uint64_t count, std::string_view payload)
{
    std::string out;
    putString(out, key);
    putU32(out, kTypeArray);
    putU32(out, elementType);
    putU64(out, count);
    out.append(payload);
    return out;
}

inline std::string kvRaw(std::string_view key, uint32_t type, std::string_view payload)
{
    std::string out;
    putString(out, key);
    putU32(out, type);
    out.append(payload);
    return out;
}

struct TensorEntry {
    std::string name;
    std::vector<uint64_t> dims;
    uint32_t type = kGgmlF32;
    uint64_t offset = 0;
    std::optional<uint32_t> nDims = std::nullopt; // overrides dims.size() in the file
};

struct FileSpec {
    uint32_t magic = kMagic;
    uint32_t version = 3;
    std::optional<uint64_t> tensorCount; // overrides tensors.size()
    std::optional<uint64_t> kvCount;     // overrides kvs.size()
    std::vector<std::string> kvs = {kvString("general.architecture", "llama"), kvU32("general.alignment", 32)};
    std::vector<TensorEntry> tensors = {{"a", {8, 2}, kGgmlF32, 0}, {"b", {32}, kGgmlQ4_0, 64}};
    uint64_t alignment = 32; // for padding the data section start
    uint64_t dataBytes = 96; // after the aligned start
};

inline std::string build(const FileSpec& spec)
{
    std::string out;
    putU32(out, spec.magic);
    putU32(out, spec.version);
    putU64(out, spec.tensorCount.value_or(spec.tensors.size()));
    putU64(out, spec.kvCount.value_or(spec.kvs.size()));
    for (const auto& kv : spec.kvs) {
        out += kv;
    }
    for (const auto& t : spec.tensors) {
        putString(out, t.name);
        putU32(out, t.nDims.value_or(static_cast<uint32_t>(t.dims.size())));
        for (const uint64_t d : t.dims) {
            putU64(out, d);
        }
        putU32(out, t.type);
        putU64(out, t.offset);
    }
    out.append((spec.alignment - out.size() % spec.alignment) % spec.alignment, '\0');
    for (uint64_t i = 0; i < spec.dataBytes; ++i) {
        out.push_back(static_cast<char>(i * 37 % 251)); // arbitrary, finite-ish values
    }
    return out;
}

} // namespace gguf_test
