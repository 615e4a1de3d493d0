// The safetensors header: length prefix, JSON entries, dtypes, shapes and data offsets.
#include "core/safetensors/safetensors_file.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto file = vora::core::SafetensorsFile::fromBytes(data, size, "fuzz.safetensors");
        for (const auto& [name, info] : file->tensors()) {
            vora::fuzz::touch(file->data(info), static_cast<size_t>(info.end - info.begin));
            (void)info.elementCount();
            (void)info.describe();
        }
    } catch (const vora::core::Error&) {
    }
    return 0;
}
