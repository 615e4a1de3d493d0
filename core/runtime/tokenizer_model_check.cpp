#include "core/runtime/tokenizer_model_check.h"

#include "core/error.h"
#include "core/model/model_config.h"
#include "core/tokenizer/tokenizer.h"

#include <optional>
#include <utility>
#include <vector>

namespace vora::core {

void checkTokenizerFitsModel(const Tokenizer& tokenizer, const ModelConfig& config, const std::string& modelDir)
{
    // (what the id is, the id), most telling first: a user recognises "<|im_end|>" sooner than a count.
    std::vector<std::pair<std::string, int64_t>> ids;
    const auto add = [&](const std::string& what, std::optional<int64_t> id) {
        if (id) {
            ids.emplace_back(what, *id);
        }
    };
    for (const char* token : {"<|im_start|>", "<|im_end|>"}) {
        add(std::string("its special token ") + token, tokenizer.tokenToId(token));
    }
    add("its end-of-text token", tokenizer.eosId());
    add("its start-of-text token", tokenizer.bosId());
    add("its padding token", tokenizer.padId());
    add("config.json's bos_token_id", config.bosTokenId);
    for (const int64_t id : config.eosTokenIds) {
        add("config.json's eos_token_id", id);
    }
    add("its largest token id", tokenizer.vocabSize() - 1);

    for (const auto& [what, id] : ids) {
        if (id < 0 || id >= config.vocabSize) {
            throw Error(ErrorCode::InvalidConfig,
                        modelDir + ": the tokenizer does not match the model. " + what + " is " + std::to_string(id)
                            + " (the tokenizer has " + std::to_string(tokenizer.vocabSize())
                            + " tokens), but the model's vocabulary (config.json vocab_size) has only "
                            + std::to_string(config.vocabSize)
                            + " entries. The folder holds another model's tokenizer: put this model's own tokenizer "
                              "files (tokenizer.json, or tokenizer.model, or vocab.json and merges.txt) in it.");
        }
    }
}

} // namespace vora::core
