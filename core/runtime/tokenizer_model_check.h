#pragma once
// Whether a model folder's tokenizer belongs to its model, checked at load: a tokenizer copied from
// another model loads fine and would otherwise fail on the first message with an id outside the
// embedding table. Every id the tokenizer can produce, its special ids (bos, eos, pad, ChatML's
// <|im_start|> and <|im_end|>) and config.json's bos/eos ids must be below the model's vocabulary
// size; the sizes need not be equal (models pad their embedding tables). Plain C++, any thread.
#include <string>

namespace vora::core {

struct ModelConfig;
class Tokenizer;

// Throws Error(InvalidConfig) saying which id is out of range, the model's vocabulary size and what to
// do about it, with modelDir in the message.
void checkTokenizerFitsModel(const Tokenizer& tokenizer, const ModelConfig& config, const std::string& modelDir);

} // namespace vora::core
