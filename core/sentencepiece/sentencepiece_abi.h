#pragma once
// The C interface of the separately loaded sentencepiece module (vora_sentencepiece.so).
// Debian's libsentencepiece bundles and exports protobuf-lite 3.14 while libtorch loads
// libprotobuf 3.21: one process cannot link both. The module alone links sentencepiece and is
// loaded with dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND); only plain C types cross this line.
// Strings returned through out-parameters are owned by the module and freed with vora_spm_free.
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct VoraSpmProcessor VoraSpmProcessor;

#define VORA_SPM_ABI_VERSION 1

int vora_spm_abi_version(void);
// Returns NULL on failure and sets *error (free it with vora_spm_free).
VoraSpmProcessor* vora_spm_load(const char* model_path, char** error);
void vora_spm_destroy(VoraSpmProcessor* processor);
void vora_spm_free(void* pointer);

int32_t vora_spm_piece_count(const VoraSpmProcessor* processor);
// Special ids; -1 when the model has none.
int32_t vora_spm_bos_id(const VoraSpmProcessor* processor);
int32_t vora_spm_eos_id(const VoraSpmProcessor* processor);
int32_t vora_spm_unk_id(const VoraSpmProcessor* processor);
int32_t vora_spm_pad_id(const VoraSpmProcessor* processor);
// Returns the piece of id (module-owned copy) or NULL when out of range.
char* vora_spm_id_to_piece(const VoraSpmProcessor* processor, int32_t id);
// Returns -1 for pieces not in the vocabulary (sentencepiece itself answers unk_id).
int32_t vora_spm_piece_to_id(const VoraSpmProcessor* processor, const char* piece, size_t length);
int vora_spm_is_control(const VoraSpmProcessor* processor, int32_t id);

// Encodes text; *ids is malloc'd by the module. Returns 0 on success, else sets *error.
int vora_spm_encode(const VoraSpmProcessor* processor, const char* text, size_t length, int32_t** ids,
                    size_t* count, char** error);
// Decodes ids to UTF-8; *text is malloc'd by the module. Returns 0 on success, else sets *error.
int vora_spm_decode(const VoraSpmProcessor* processor, const int32_t* ids, size_t count, char** text,
                    size_t* length, char** error);

#ifdef __cplusplus
}
#endif
