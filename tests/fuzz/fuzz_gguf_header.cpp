// The GGUF header: magic, version, metadata of every value type, tensor infos and alignment.
#include "core/gguf/gguf_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto file = vora::core::GgufFile::parse(std::span<const uint8_t>(data, size), "fuzz.gguf");
        for (const auto& info : file->tensors()) {
            const auto bytes = file->tensorData(info);
            vora::fuzz::touch(bytes.data(), bytes.size());
        }
        for (const auto& [key, value] : file->metadata()) {
            (void)file->string(key);
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
