// tokenizer.json: vocabulary, merges, added tokens, normalizers, pre-tokenizers, decoders and the
// post-processor; an accepted tokenizer then encodes and decodes a mixed text.
#include "core/tokenizer/hf_tokenizer.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        const auto tokenizer
            = vora::core::HfTokenizer::fromTokenizerJsonText(vora::fuzz::text(data, size), "tokenizer.json", {});
        vora::core::EncodeOptions options;
        options.parseSpecial = true;
        options.addSpecial = true;
        const auto ids = tokenizer->encode("Hello, world! 123 \xC3\xA9t\xC3\xA9 <|im_end|>\n\t  x", options);
        (void)tokenizer->decode(ids, false);
        (void)tokenizer->decode({0, 1, 2, -1, 1 << 30}, true);
    } catch (const vora::core::Error&) {
    }
    return 0;
}
