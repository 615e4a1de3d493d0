#include "core/runtime/vora_engine.h"

#include "core/attention/reprefill_cache.h"
#include "core/error.h"
#include "core/generation/chat_session.h"
#include "core/generation/decode_graphs.h"
#include "core/generation/generation_config.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/image/model_image.h"
#include "core/model/vora_model.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/stop_string_matcher.h"
#include "core/runtime/tokenizer_model_check.h"
#include "core/safetensors/safetensors_writer.h"
#include "core/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace vora::core {
namespace {

namespace fs = std::filesystem;

std::string tokenizerPath(const std::string& modelDir)
{
    for (const char* name : {"tokenizer.json", "tokenizer.model", "vocab.json"}) {
        if (fs::exists(fs::path(modelDir) / name)) {
            return modelDir;
        }
    }
    throw Error(ErrorCode::FileNotFound,
                modelDir + ": no tokenizer (tokenizer.json, tokenizer.model or vocab.json + merges.txt)");
}

// generation_config.json's eos ids, else config.json's, plus the tokenizer's eos and ChatML's <|im_end|>.
std::vector<int64_t> endTokens(std::vector<int64_t> ids, const ModelConfig& config, const Tokenizer& tokenizer)
{
    if (ids.empty()) {
        ids = config.eosTokenIds;
    }
    for (const std::optional<int32_t> id : {tokenizer.eosId(), tokenizer.tokenToId("<|im_end|>")}) {
        if (id && std::find(ids.begin(), ids.end(), *id) == ids.end()) {
            ids.push_back(*id);
        }
    }
    return ids;
}

} // namespace

struct VoraEngine::State {
    std::unique_ptr<VoraModel> model;
    std::unique_ptr<Tokenizer> tokenizer;
    PreprocessConfig preprocess;
    ChatTemplateOptions chatTemplate;
    ModelSummary summary;
    AttentionImpl attention = AttentionImpl::Fused;
    std::unique_ptr<DecodeGraphs> graphs; // null: eager decoding (see summary.decodePath)
    ReprefillCache reprefills;
};

VoraEngine::VoraEngine(std::unique_ptr<State> state) : m_state(std::move(state)) {}
VoraEngine::~VoraEngine() = default;

std::unique_ptr<VoraEngine> VoraEngine::load(const std::string& modelDir, const EngineOptions& options)
{
    auto state = std::make_unique<State>();
    state->tokenizer = Tokenizer::load(tokenizerPath(modelDir));
    checkTokenizerFitsModel(*state->tokenizer, loadModelConfig(modelDir), modelDir); // before the weights: fail fast
    ModelLoadOptions load;
    load.device = options.device;
    load.dtype = options.dtype;
    load.mergeLora = options.mergeLora;
    load.loraScale = options.loraScale;
    load.maxContext = options.maxContext;
    load.progress = options.progress;
    state->model = VoraModel::load(modelDir, load);
    state->model->decoder().fuseForInference();
    state->attention = options.attention == AttentionMode::Explicit ? AttentionImpl::Explicit : AttentionImpl::Fused;
    const ModelConfig& config = state->model->config();
    state->preprocess = config.isVora() ? PreprocessConfig::fromModelDir(modelDir) : PreprocessConfig{};
    state->chatTemplate = chatTemplateOptionsForModel(modelDir, config.isVora());

    ModelSummary& s = state->summary;
    s.directory = modelDir;
    s.modelType = config.modelType;
    s.device = state->model->device().str();
    s.dtype = dtypeDisplayName(state->model->dtype());
    s.parameterCount = state->model->report().parameterCount;
    s.weightBytes = state->model->report().weightBytes;
    s.hasVision = config.isVora();
    s.imageSize = state->preprocess.imageSize;
    s.patchSize = state->preprocess.patchSize;
    s.maxContext = state->model->maxContext();
    s.attentionHeads = config.numHeads;
    s.keyValueHeads = config.numKeyValueHeads;
    s.layers = config.numLayers;
    s.loadSeconds = state->model->report().loadSeconds;
    s.defaults = defaultGenerationSettings(loadGenerationConfig(modelDir));
    s.defaults.stop.eosIds = endTokens(s.defaults.stop.eosIds, config, *state->tokenizer);
    if (!state->model->device().is_cuda()) {
        s.decodePath = "eager";
    } else if (!options.cudaGraphs) {
        s.decodePath = "eager (CUDA graphs turned off)";
    } else {
        std::string whyNot;
        DecodeGraphOptions graphOptions;
        graphOptions.kernelPrefill = options.kernelPrefill;
        state->graphs = makeDecodeGraphs(*state->model, graphOptions, &whyNot);
        s.decodePath = state->graphs ? state->graphs->description() : "eager (" + whyNot + ")";
    }
    const bool onGpu = state->model->device().is_cuda();
    std::unique_ptr<VoraEngine> engine(new VoraEngine(std::move(state)));
    if (options.warmUp && onGpu) { // the CPU has no lazily loaded kernels to warm
        engine->warmUp();
    }
    return engine;
}

void VoraEngine::warmUp()
{
    const auto started = std::chrono::steady_clock::now();
    const VoraModel& model = *m_state->model;
    const int64_t vocab = model.config().vocabSize;
    PromptInput prompt;
    for (int64_t i = 0; i < 8; ++i) {
        prompt.ids.push_back((i * 7919 + 13) % vocab); // any in-vocabulary ids
    }
    if (model.vision() && model.device().is_cuda()) {
        // An image of the model's own size: the kernels of a typical first question get loaded now.
        ImagePixels image;
        image.height = image.width = m_state->preprocess.imageSize;
        image.chw.assign(size_t(3) * image.height * image.width, 0.5f);
        prompt.ids.insert(prompt.ids.begin() + 4, kImageTokenSentinel);
        prompt.images.push_back(std::move(image));
    }
    // Straight through a session rather than generate(), which always stops at the model's end tokens:
    // here no end-of-text ids, so all three tokens are decoded.
    StopCriteria stop;
    stop.maxNewTokens = 3;
    GenerationHooks hooks;
    hooks.attention = m_state->attention;
    ChatSession session(model, m_state->graphs.get());
    session.generate(prompt, m_state->summary.defaults.sampling, stop, hooks);
    if (m_state->graphs) {
        SamplingParams greedy;
        greedy.temperature = 0;
        m_state->graphs->prepare(greedy);
    }
    m_state->summary.warmUpSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

const ModelSummary& VoraEngine::summary() const { return m_state->summary; }
const Tokenizer& VoraEngine::tokenizer() const { return *m_state->tokenizer; }
const PreprocessConfig& VoraEngine::preprocessConfig() const { return m_state->preprocess; }
const ChatTemplateOptions& VoraEngine::chatTemplateOptions() const { return m_state->chatTemplate; }

PreparedImage VoraEngine::prepareImage(const std::string& path) const
{
    const PreprocessedImage processed = loadModelImage(path, m_state->preprocess);
    PreparedImage image;
    image.source = path;
    image.pixels.height = processed.height;
    image.pixels.width = processed.width;
    image.pixels.chw = processed.pixels;
    image.geometry = processed.geometry;
    return image;
}

PromptInput VoraEngine::chatPrompt(const std::vector<ChatTurn>& turns, const std::vector<PreparedImage>& images) const
{
    return chatPrompt(turns, images, m_state->chatTemplate);
}

PromptInput VoraEngine::chatPrompt(const std::vector<ChatTurn>& turns, const std::vector<PreparedImage>& images,
                                   const ChatTemplateOptions& options) const
{
    PromptInput prompt;
    prompt.ids = buildChatPromptIds(*m_state->tokenizer, turns, options);
    for (const PreparedImage& image : images) {
        prompt.images.push_back(image.pixels);
    }
    return prompt;
}

PromptInput VoraEngine::rawPrompt(std::string_view text, const std::vector<PreparedImage>& images) const
{
    PromptInput prompt;
    prompt.ids = buildRawPromptIds(*m_state->tokenizer, text);
    for (const PreparedImage& image : images) {
        prompt.images.push_back(image.pixels);
    }
    return prompt;
}

int64_t VoraEngine::promptPositions(const PromptInput& prompt) const
{
    return layoutSequence(*m_state->model, prompt, LayoutKeys::Without).length();
}

void ChatSessionDeleter::operator()(ChatSession* session) const { delete session; }

ChatSessionHandle VoraEngine::openSession(bool reuse) const
{
    ChatSessionHandle session(new ChatSession(*m_state->model, m_state->graphs.get()));
    session->setReuse(reuse);
    return session;
}

int64_t VoraEngine::sessionCacheBytes(const ChatSession& session) { return session.cacheBytes(); }

TextResult VoraEngine::generate(const PromptInput& prompt, const GenerationSettings& settings, const TextCallbacks& callbacks)
{
    ChatSession session(*m_state->model, m_state->graphs.get());
    return generate(session, prompt, settings, callbacks);
}

TextResult VoraEngine::generate(ChatSession& session, const PromptInput& prompt, const GenerationSettings& settings,
                                const TextCallbacks& callbacks)
{
    StopCriteria stop = settings.stop;
    stop.eosIds = m_state->summary.defaults.stop.eosIds;
    const VoraModel& model = *m_state->model;
    StreamingDecoder decoder(*m_state->tokenizer, /*skipSpecial=*/true);
    StopStringMatcher matcher(stop.stopStrings);
    TextResult result;
    auto emit = [&](const std::string& text) {
        if (!text.empty()) {
            result.text += text;
            if (callbacks.onText) {
                callbacks.onText(text);
            }
        }
    };
    auto isEos = [&](int64_t token) { return std::find(stop.eosIds.begin(), stop.eosIds.end(), token) != stop.eosIds.end(); };

    GenerationHooks hooks;
    hooks.stopRequested = callbacks.stopRequested;
    hooks.attention = m_state->attention;
    std::vector<size_t> decodedEnd; // bytes decoded through each token (before stop strings are held back)
    size_t decodedBytes = 0;
    hooks.onToken = [&](int64_t token) {
        if (!isEos(token)) {
            const std::string piece = decoder.push(static_cast<int32_t>(token));
            decodedBytes += piece.size();
            emit(matcher.push(piece));
        }
        decodedEnd.push_back(decodedBytes);
        return !matcher.matched();
    };
    if (callbacks.attention) {
        callbacks.attention->begin(model, prompt, hooks);
    }
    const GenerationOutput output = session.generate(prompt, settings.sampling, stop, hooks);
    if (!matcher.matched()) {
        emit(matcher.push(decoder.flush()));
        emit(matcher.flush());
    }
    result.tokenIds = output.tokens;
    result.stats = output.stats;
    result.prefilledTokens = output.prefilledTokens;
    result.decodePath = output.decodePath;
    result.historyIds = output.tokens;
    if (output.stats.stopReason == StopReason::StopString) {
        // Keep the tokens whose text lies wholly before the stop string; the cache forgets the rest.
        const auto kept = std::count_if(decodedEnd.begin(), decodedEnd.end(), [&](size_t end) { return end <= result.text.size(); });
        result.historyIds.resize(static_cast<size_t>(kept));
        session.truncate(output.stats.promptTokens + kept);
    } else if (!result.historyIds.empty() && isEos(result.historyIds.back())) {
        result.historyIds.pop_back();
    }
    return result;
}

std::shared_ptr<const ReprefillAttention> VoraEngine::reprefillAttention(const ReprefillRequest& request)
{
    return m_state->reprefills.get(request, [&] { return core::reprefillAttention(*m_state->model, request); });
}

void VoraEngine::dumpPromptLogits(const PromptInput& prompt, const std::string& path) const
{
    const AssembledSequence sequence = assembleSequence(*m_state->model, prompt);
    // What a generation's prefill computes on this device: the fused-kernel prefill where the graphs run.
    const at::Tensor logits = promptLogits(*m_state->model, sequence, m_state->attention, nullptr, m_state->graphs.get())
                                  .contiguous();
    const auto length = static_cast<int64_t>(prompt.ids.size());
    std::vector<SafetensorsEntry> entries;
    entries.push_back({"logits", "F32", {logits.size(0), logits.size(1)},
                       std::span<const std::byte>(reinterpret_cast<const std::byte*>(logits.data_ptr<float>()),
                                                  static_cast<size_t>(logits.nbytes()))});
    entries.push_back({"input_ids", "I64", {length},
                       std::span<const std::byte>(reinterpret_cast<const std::byte*>(prompt.ids.data()),
                                                  prompt.ids.size() * sizeof(int64_t))});
    entries.push_back({"is_image", "U8", {sequence.length()},
                       std::span<const std::byte>(reinterpret_cast<const std::byte*>(sequence.isImage.data()),
                                                  sequence.isImage.size())});
    writeSafetensors(path, entries, {{"model", m_state->summary.directory}});
}

} // namespace vora::core
