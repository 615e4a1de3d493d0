#include "app/inference/engine_chat_backend.h"

#include "app/attention/answer_attention_capture.h"
#include "core/device/memory_stats.h"
#include "core/attention/reprefill_attention.h"
#include "core/error.h"
#include "core/model/model_config.h"
#include "core/runtime/attention_recorder.h"
#include "core/tokenizer/tokenizer.h"
#include "core/runtime/vora_engine.h"

#include <QFileInfo>

namespace vora::app {
namespace {

constexpr size_t kMaxCachedImages = 32;

} // namespace

EngineChatBackend::EngineChatBackend() = default;
EngineChatBackend::~EngineChatBackend() = default;

ModelInfo EngineChatBackend::load(const QString& modelDir, const ModelLoadOptions& load,
                                  const std::function<void(double, const QString&)>& progress)
{
    unload();
    core::EngineOptions options;
    options.device = load.device.isEmpty() ? std::string("cpu") : load.device.toStdString();
    options.dtype = load.dtype.isEmpty() ? std::string("auto") : load.dtype.toStdString();
    options.maxContext = load.maxContext;
    options.progress = [&progress](double fraction, const std::string& stage) {
        if (progress) {
            progress(fraction, QString::fromStdString(stage));
        }
    };
    m_engine = core::VoraEngine::load(modelDir.toStdString(), options);
    const core::ModelSummary& s = m_engine->summary();
    m_modelDir = modelDir;
    m_loraLayers = core::loadModelConfig(modelDir.toStdString()).lora.layers;
    ModelInfo info;
    info.path = modelDir;
    info.name = QFileInfo(modelDir).fileName();
    info.device = QString::fromStdString(s.device);
    info.dtype = QString::fromStdString(s.dtype);
    info.parameterCount = s.parameterCount;
    info.weightBytes = s.weightBytes;
    info.imageSize = s.imageSize;
    info.patchSize = s.patchSize;
    info.hasVision = s.hasVision;
    info.maxContext = s.maxContext;
    info.defaults = s.defaults;
    info.loadSeconds = s.loadSeconds;
    return info;
}

void EngineChatBackend::unload()
{
    m_images.clear();
    if (!m_engine) {
        return;
    }
    const c10::Device device(m_engine->summary().device);
    m_engine.reset();
    core::releaseCachedMemory(device); // the fit step counts this memory as free once the chat's model is gone
}

const core::PreparedImage& EngineChatBackend::preparedImage(const QString& path)
{
    const std::string key = path.toStdString();
    auto it = m_images.find(key);
    if (it == m_images.end()) {
        if (m_images.size() >= kMaxCachedImages) {
            m_images.clear();
        }
        it = m_images.emplace(key, std::make_unique<core::PreparedImage>(m_engine->prepareImage(key))).first;
    }
    return *it->second;
}

core::PromptInput EngineChatBackend::prompt(const QList<ChatTurnInput>& conversation, std::vector<core::PreparedImage>* imagesOut)
{
    core::require(m_engine != nullptr, core::ErrorCode::InvalidArgument, "No model is loaded.");
    std::vector<core::ChatTurn> turns;
    std::vector<core::PreparedImage> images;
    for (const ChatTurnInput& input : conversation) {
        if (!input.imagePaths.isEmpty() && !m_engine->summary().hasVision) {
            throw core::Error(core::ErrorCode::InvalidArgument,
                              "This model reads text only (it has no vision embedding); remove the images or open a VoRA model.");
        }
        for (const QString& path : input.imagePaths) {
            images.push_back(preparedImage(path));
        }
        turns.push_back({input.role.toStdString(), input.text.toStdString(), static_cast<int>(input.imagePaths.size())});
    }
    core::PromptInput input = m_engine->chatPrompt(turns, images);
    if (imagesOut) {
        *imagesOut = std::move(images);
    }
    return input;
}

qint64 EngineChatBackend::promptTokens(const QList<ChatTurnInput>& conversation)
{
    return m_engine->promptPositions(prompt(conversation));
}

core::GenerationStats EngineChatBackend::generate(const QList<ChatTurnInput>& conversation,
                                                  const core::GenerationSettings& settings,
                                                  const std::function<void(const QString&)>& onText,
                                                  const std::atomic<bool>& stopRequested)
{
    m_attention = {};
    std::vector<core::PreparedImage> images;
    const core::PromptInput input = prompt(conversation, &images);
    const std::unique_ptr<core::AttentionRecorder> recorder =
        images.empty() ? nullptr : makeAttentionRecorder(m_attentionDetail);
    core::TextCallbacks callbacks;
    callbacks.attention = recorder.get();
    callbacks.stopRequested = &stopRequested;
    callbacks.onText = [&onText](std::string_view piece) {
        onText(QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
    };
    const core::TextResult result = m_engine->generate(input, settings, callbacks);
    if (recorder) {
        QStringList tokenTexts;
        for (int64_t id : result.tokenIds) {
            tokenTexts.append(QString::fromStdString(m_engine->tokenizer().decode({static_cast<int32_t>(id)}, false)));
        }
        m_attention = answerAttentionFromCapture(*recorder, images, tokenTexts, m_engine->summary().keyValueHeads);
        RolloutSource source;
        source.modelPath = m_modelDir;
        source.prompt = std::make_shared<const core::PromptInput>(input);
        source.answerIds.assign(result.tokenIds.begin(), result.tokenIds.end());
        m_attention.rolloutSource =
            std::make_shared<const RolloutSource>(rolloutLayersFor(std::move(source), m_loraLayers, m_engine->summary().layers));
    }
    return result.stats;
}

AnswerRollout EngineChatBackend::rollout(const RolloutSource& source)
{
    core::require(m_engine != nullptr, core::ErrorCode::InvalidArgument, "No model is loaded.");
    core::require(source.prompt != nullptr, core::ErrorCode::InvalidArgument, "The answer's prompt is not kept.");
    core::ReprefillRequest request;
    request.prompt = *source.prompt;
    request.answerIds.assign(source.answerIds.begin(), source.answerIds.end());
    request.rolloutLayers = {source.firstLayer, source.lastLayer};
    const std::shared_ptr<const core::ReprefillAttention> result = m_engine->reprefillAttention(request);
    AnswerRollout rollout;
    rollout.firstLayer = result->rolloutLayers.first;
    rollout.lastLayer = result->rolloutLayers.last;
    for (const core::ImageGrids& grids : result->answerRollout) {
        std::vector<float>& all = rollout.tokens.emplace_back();
        for (const core::PatchGrid& grid : grids) {
            all.insert(all.end(), grid.begin(), grid.end());
        }
    }
    return rollout;
}

} // namespace vora::app
