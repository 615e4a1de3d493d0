#include "core/runtime/vora_engine.h"

#include "core/error.h"
#include "core/generation/generation_config.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/image/model_image.h"
#include "core/model/vora_model.h"
#include "core/attention/image_spans.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/stop_string_matcher.h"
#include "core/runtime/tokenizer_model_check.h"
#include "core/safetensors/safetensors_writer.h"
#include "core/tokenizer/tokenizer.h"

#include <torch/torch.h>

#include <algorithm>
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
    s.loadSeconds = state->model->report().loadSeconds;
    s.defaults = defaultGenerationSettings(loadGenerationConfig(modelDir));
    s.defaults.stop.eosIds = endTokens(s.defaults.stop.eosIds, config, *state->tokenizer);
    return std::unique_ptr<VoraEngine>(new VoraEngine(std::move(state)));
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
    const int patch = m_state->model->config().vision ? m_state->model->config().vision->patchSize : 14;
    int64_t positions = 0;
    size_t image = 0;
    for (const int64_t id : prompt.ids) {
        if (id != kImageTokenSentinel) {
            ++positions;
        } else if (image < prompt.images.size()) {
            const ImagePixels& pixels = prompt.images[image++];
            positions += int64_t(pixels.height / patch) * int64_t(pixels.width / patch);
        }
    }
    return positions;
}

TextResult VoraEngine::generate(const PromptInput& prompt, const GenerationSettings& settings, const TextCallbacks& callbacks)
{
    StopCriteria stop = settings.stop;
    stop.eosIds = m_state->summary.defaults.stop.eosIds;
    const VoraModel& model = *m_state->model;
    const AssembledSequence sequence = assembleSequence(model, prompt);
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

    GenerationHooks hooks;
    hooks.stopRequested = callbacks.stopRequested;
    hooks.attention = m_state->attention;
    hooks.onToken = [&](int64_t token) {
        if (std::find(stop.eosIds.begin(), stop.eosIds.end(), token) != stop.eosIds.end()) {
            return true;
        }
        emit(matcher.push(decoder.push(static_cast<int32_t>(token))));
        return !matcher.matched();
    };
    if (callbacks.attention) {
        const int patch = model.config().vision ? model.config().vision->patchSize : 14;
        std::vector<ImageSpan> spans = imageSpans(sequence.isImage, prompt.images, patch);
        callbacks.attention->begin(std::move(spans), sequence.length());
        hooks.observer = callbacks.attention->observer();
    }
    const GenerationOutput output = vora::core::generate(model, sequence, settings.sampling, stop, hooks);
    if (!matcher.matched()) {
        emit(matcher.push(decoder.flush()));
        emit(matcher.flush());
    }
    result.tokenIds = output.tokens;
    result.stats = output.stats;
    return result;
}

void VoraEngine::dumpPromptLogits(const PromptInput& prompt, const std::string& path) const
{
    const AssembledSequence sequence = assembleSequence(*m_state->model, prompt);
    const at::Tensor logits = promptLogits(*m_state->model, sequence, m_state->attention).contiguous();
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
