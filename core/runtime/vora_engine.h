#pragma once
// The runtime's front door for the app and the CLI: a loaded model with its tokenizer, chat
// template and image preprocessing, generating text with streaming, stop strings, cancellation and
// optional attention capture. No torch in this header.
// Threads: an engine is used by one thread at a time (the app's inference worker); stopRequested
// may be set from any thread.
#include "core/attention/reprefill_attention.h"
#include "core/chat/chat_template.h"
#include "core/generation/prompt_input.h"
#include "core/generation/generation_settings.h"
#include "core/generation/generation_stats.h"
#include "core/image/image_preprocessor.h"
#include "core/model/model_config.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

class Tokenizer;
class AttentionRecorder;
class ChatSession;

// ChatSession (core/generation/chat_session.h) without its torch-heavy header: the app holds sessions
// through this handle.
struct ChatSessionDeleter {
    void operator()(ChatSession* session) const;
};
using ChatSessionHandle = std::unique_ptr<ChatSession, ChatSessionDeleter>;

enum class AttentionMode { Fused, Explicit };

struct EngineOptions {
    std::string device = "cpu";
    std::string dtype = "auto";
    bool mergeLora = true;
    double loraScale = 1.0;
    int64_t maxContext = 0;
    AttentionMode attention = AttentionMode::Fused;
    std::function<void(double fraction, const std::string& stage)> progress;
    // On CUDA, run a short generation at load (and capture the decode graphs of the default and greedy
    // sampling), so the first answer does not pay lazy kernel loading and graph capture.
    bool warmUp = true;
    bool cudaGraphs = true; // decode steps as CUDA graph replays where the device and model allow
    bool kernelPrefill = true; // where the graphs run, prefill with their fused kernels (DecodeGraphs::prefill)
};

struct ModelSummary {
    std::string directory;
    std::string modelType;
    std::string device;
    std::string dtype;
    int64_t parameterCount = 0;
    int64_t weightBytes = 0;
    bool hasVision = false;
    int imageSize = 0;
    int patchSize = 0;
    int64_t maxContext = 0;
    int attentionHeads = 0, keyValueHeads = 0; // query heads and KV heads (grouped-query attention)
    int layers = 0;                            // decoder layers
    double loadSeconds = 0;
    // From generation_config.json (defaultGenerationSettings); stop.eosIds: every end token of the model.
    GenerationSettings defaults;
    std::string decodePath; // "eager (why)" or the CUDA graph decoder's description
    double warmUpSeconds = 0;
};

struct PreparedImage {
    std::string source;
    ImagePixels pixels;
    ImageGeometry geometry;
};

struct TextCallbacks {
    std::function<void(std::string_view piece)> onText; // valid UTF-8 pieces, stop strings held back
    const std::atomic<bool>* stopRequested = nullptr;
    AttentionRecorder* attention = nullptr; // records generated tokens' attention over image patches
};

struct TextResult {
    std::string text;
    std::vector<int64_t> tokenIds;
    GenerationStats stats;       // the stop reason included
    int64_t prefilledTokens = 0; // prompt positions run through the prefill (the rest came from a session)
    // The answer as the conversation keeps it, for ChatTemplateOptions::answerIds: the drawn ids without a
    // final end-of-text id; after a stop string, only the ids whose text lies wholly before it.
    std::vector<int64_t> historyIds;
    std::string decodePath;
};

class VoraEngine {
public:
    // Loads model, tokenizer (tokenizer.json / tokenizer.model / vocab.json+merges.txt in the folder)
    // and preprocessing config. Throws Error naming what is wrong.
    static std::unique_ptr<VoraEngine> load(const std::string& modelDir, const EngineOptions& options = {});
    ~VoraEngine();
    VoraEngine(const VoraEngine&) = delete;
    VoraEngine& operator=(const VoraEngine&) = delete;

    const ModelSummary& summary() const;
    const Tokenizer& tokenizer() const;
    const PreprocessConfig& preprocessConfig() const;

    // An image file (any format OpenCV reads), or a .safetensors pixel file from `vora preprocess`.
    PreparedImage prepareImage(const std::string& path) const;
    // Chat turns -> ids with sentinels; images are bound to the turns' imageCount in order. Without
    // options: the model's own (chatTemplateOptionsForModel: e.g. its template's default system prompt).
    PromptInput chatPrompt(const std::vector<ChatTurn>& turns, const std::vector<PreparedImage>& images) const;
    PromptInput chatPrompt(const std::vector<ChatTurn>& turns, const std::vector<PreparedImage>& images,
                           const ChatTemplateOptions& options) const;
    const ChatTemplateOptions& chatTemplateOptions() const;
    // Verbatim text (special tokens parsed), each "<image>" bound to the next image.
    PromptInput rawPrompt(std::string_view text, const std::vector<PreparedImage>& images) const;

    // Positions the prompt occupies once each image is expanded to its patches (no model work).
    int64_t promptPositions(const PromptInput& prompt) const;

    // One generation from scratch. settings.stop.eosIds is ignored: generation always ends at the model's
    // end tokens (summary().defaults.stop.eosIds). Throws Error(InvalidArgument) for settings out of range.
    TextResult generate(const PromptInput& prompt, const GenerationSettings& settings, const TextCallbacks& callbacks = {});

    // Sessions: one per open conversation, each owning that conversation's KV cache. Pass the whole
    // conversation every turn, earlier answers as their historyIds (ChatTemplateOptions::answerIds); only
    // the positions the session's cache lacks are prefilled, and regenerate/edit drop the rest by
    // themselves. The app bounds memory with sessionCacheBytes and drops sessions it evicts (a new
    // session rebuilds the cache on the next turn). reuse = false prefills every turn from scratch.
    ChatSessionHandle openSession(bool reuse = true) const;
    TextResult generate(ChatSession& session, const PromptInput& prompt, const GenerationSettings& settings,
                        const TextCallbacks& callbacks = {});
    static int64_t sessionCacheBytes(const ChatSession& session);

    // Rollout and prompt-position attention by an explicit re-prefill of prompt + answer
    // (core/attention/reprefill_attention.h), on demand and outside any decode; the last few results are
    // cached per request (prompt, images, answer, positions, layers), so asking again costs nothing.
    std::shared_ptr<const ReprefillAttention> reprefillAttention(const ReprefillRequest& request);

    // Prefill logits over the expanded prompt, written as safetensors: "logits" float32 [L, V],
    // "input_ids" int64 (with sentinels), "is_image" uint8 [L].
    void dumpPromptLogits(const PromptInput& prompt, const std::string& path) const;

private:
    void warmUp();

    struct State;
    explicit VoraEngine(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
};

} // namespace vora::core
