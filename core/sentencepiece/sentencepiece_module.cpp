// The sentencepiece module: the only code in the project that links libsentencepiece.
// See sentencepiece_abi.h for why it is a separately loaded module.
#include "core/sentencepiece/sentencepiece_abi.h"

#include <sentencepiece_processor.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

struct VoraSpmProcessor {
    sentencepiece::SentencePieceProcessor processor;
};

namespace {

char* copyString(const std::string& text)
{
    auto* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (out) {
        std::memcpy(out, text.data(), text.size());
        out[text.size()] = '\0';
    }
    return out;
}

void setError(char** error, const std::string& message)
{
    if (error) {
        *error = copyString(message);
    }
}

} // namespace

extern "C" {

__attribute__((visibility("default"))) int vora_spm_abi_version(void) { return VORA_SPM_ABI_VERSION; }

__attribute__((visibility("default"))) VoraSpmProcessor* vora_spm_load(const char* model_path, char** error)
{
    auto processor = std::make_unique<VoraSpmProcessor>();
    const auto status = processor->processor.Load(model_path);
    if (!status.ok()) {
        setError(error, status.ToString());
        return nullptr;
    }
    return processor.release();
}

__attribute__((visibility("default"))) void vora_spm_destroy(VoraSpmProcessor* processor) { delete processor; }

__attribute__((visibility("default"))) void vora_spm_free(void* pointer) { std::free(pointer); }

__attribute__((visibility("default"))) int32_t vora_spm_piece_count(const VoraSpmProcessor* processor)
{
    return processor->processor.GetPieceSize();
}

__attribute__((visibility("default"))) int32_t vora_spm_bos_id(const VoraSpmProcessor* processor)
{
    return processor->processor.bos_id();
}

__attribute__((visibility("default"))) int32_t vora_spm_eos_id(const VoraSpmProcessor* processor)
{
    return processor->processor.eos_id();
}

__attribute__((visibility("default"))) int32_t vora_spm_unk_id(const VoraSpmProcessor* processor)
{
    return processor->processor.unk_id();
}

__attribute__((visibility("default"))) int32_t vora_spm_pad_id(const VoraSpmProcessor* processor)
{
    return processor->processor.pad_id();
}

__attribute__((visibility("default"))) char* vora_spm_id_to_piece(const VoraSpmProcessor* processor, int32_t id)
{
    if (id < 0 || id >= processor->processor.GetPieceSize()) {
        return nullptr;
    }
    return copyString(processor->processor.IdToPiece(id));
}

__attribute__((visibility("default"))) int32_t vora_spm_piece_to_id(const VoraSpmProcessor* processor,
                                                                   const char* piece, size_t length)
{
    const std::string text(piece, length);
    const int id = processor->processor.PieceToId(text);
    if (id == processor->processor.unk_id() && processor->processor.IdToPiece(id) != text) {
        return -1;
    }
    return id;
}

__attribute__((visibility("default"))) int vora_spm_is_control(const VoraSpmProcessor* processor, int32_t id)
{
    return processor->processor.IsControl(id) ? 1 : 0;
}

__attribute__((visibility("default"))) int vora_spm_encode(const VoraSpmProcessor* processor, const char* text,
                                                          size_t length, int32_t** ids, size_t* count,
                                                          char** error)
{
    std::vector<int> pieces;
    const auto status = processor->processor.Encode(std::string_view(text, length), &pieces);
    if (!status.ok()) {
        setError(error, status.ToString());
        return 1;
    }
    *count = pieces.size();
    *ids = static_cast<int32_t*>(std::malloc(std::max<size_t>(1, pieces.size()) * sizeof(int32_t)));
    for (size_t i = 0; i < pieces.size(); ++i) {
        (*ids)[i] = pieces[i];
    }
    return 0;
}

__attribute__((visibility("default"))) int vora_spm_decode(const VoraSpmProcessor* processor, const int32_t* ids,
                                                          size_t count, char** text, size_t* length,
                                                          char** error)
{
    const std::vector<int> pieces(ids, ids + count);
    std::string decoded;
    const auto status = processor->processor.Decode(pieces, &decoded);
    if (!status.ok()) {
        setError(error, status.ToString());
        return 1;
    }
    *length = decoded.size();
    *text = copyString(decoded);
    return 0;
}

} // extern "C"
