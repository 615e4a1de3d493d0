#pragma once
// The real ChatBackend: vora_core's VoraEngine (model, tokenizer, chat template, image
// preprocessing, generation). Inference worker thread only, like every ChatBackend.
#include "app/inference/chat_backend.h"

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace vora::core {
class VoraEngine;
struct PromptInput;
struct PreparedImage;
}

namespace vora::app {

class EngineChatBackend final : public ChatBackend {
public:
    EngineChatBackend();
    ~EngineChatBackend() override;

    ModelInfo load(const QString& modelDir, const ModelLoadOptions& options,
                   const std::function<void(double fraction, const QString& stage)>& progress) override;
    void unload() override;
    qint64 promptTokens(const QList<ChatTurnInput>& conversation) override;
    core::GenerationStats generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                                   const std::function<void(const QString& piece)>& onText,
                                   const std::atomic<bool>& stopRequested) override;
    void setAttentionCapture(AttentionDetailLevel detail) override { m_attentionDetail = detail; }
    AnswerAttention takeAttention() override { return std::exchange(m_attention, {}); }
    AnswerRollout rollout(const RolloutSource& source) override;

private:
    // images (optional) receives the prompt's images in order.
    core::PromptInput prompt(const QList<ChatTurnInput>& conversation, std::vector<core::PreparedImage>* images = nullptr);
    const core::PreparedImage& preparedImage(const QString& path);

    std::unique_ptr<core::VoraEngine> m_engine;
    // Preprocessed pixels by path: a conversation sends its earlier images with every turn.
    std::map<std::string, std::unique_ptr<core::PreparedImage>> m_images;
    AttentionDetailLevel m_attentionDetail = AttentionDetailLevel::Off;
    AnswerAttention m_attention; // the last generate()'s
    QString m_modelDir;
    int m_loraLayers = 0; // the loaded model's vision-LoRA layers (config "lora.layers"), 0: none recorded
};

} // namespace vora::app
