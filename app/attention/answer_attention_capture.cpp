#include "app/attention/answer_attention_capture.h"

#include "core/error.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/vora_engine.h"

#include <QStringList>

namespace vora::app {
namespace {

// The grids of every image of one token, concatenated (AttentionToken's layout), as float16.
HalfGrids toHalf(const core::ImageGrids& grids)
{
    HalfGrids half;
    for (const core::PatchGrid& grid : grids) {
        for (float value : grid) {
            half.push_back(qfloat16(value));
        }
    }
    return half;
}

AttentionImage imageOf(const core::ImageSpan& span, const core::PreparedImage& prepared)
{
    const core::ImageGeometry& g = prepared.geometry;
    core::require(g.gridHeight == span.gridHeight && g.gridWidth == span.gridWidth, core::ErrorCode::InvalidArgument,
                  "attention capture: image " + prepared.source + " has a grid other than the recorded one");
    AttentionImage image;
    image.imagePath = QString::fromStdString(prepared.source);
    image.gridHeight = span.gridHeight;
    image.gridWidth = span.gridWidth;
    image.originalWidth = g.originalWidth;
    image.originalHeight = g.originalHeight;
    image.paddedSide = g.paddedSide;
    image.padLeft = g.padLeft;
    image.padTop = g.padTop;
    image.resizedWidth = g.resizedWidth;
    image.resizedHeight = g.resizedHeight;
    image.patchSize = g.patchSize;
    image.scale = g.scale;
    return image;
}

} // namespace

std::unique_ptr<core::AttentionRecorder> makeAttentionRecorder(AttentionDetailLevel detail)
{
    switch (detail) {
    case AttentionDetailLevel::Off:
        return nullptr;
    case AttentionDetailLevel::Mean:
        return std::make_unique<core::AttentionRecorder>(std::vector<int>{}, core::AttentionDetail::Mean);
    case AttentionDetailLevel::Layers:
        return std::make_unique<core::AttentionRecorder>(std::vector<int>{}, core::AttentionDetail::Layers);
    case AttentionDetailLevel::Heads:
        return std::make_unique<core::AttentionRecorder>(std::vector<int>{}, core::AttentionDetail::Heads);
    }
    return nullptr;
}

AnswerAttention answerAttentionFromCapture(const core::AttentionRecorder& recorder,
                                           const std::vector<core::PreparedImage>& images,
                                           const QStringList& tokenTexts, int kvHeads)
{
    AnswerAttention attention;
    const std::vector<core::ImageSpan>& spans = recorder.images();
    core::require(spans.size() == images.size(), core::ErrorCode::InvalidArgument,
                  "attention capture: " + std::to_string(spans.size()) + " image spans for " +
                      std::to_string(images.size()) + " images");
    for (size_t j = 0; j < spans.size(); ++j) {
        attention.images.append(imageOf(spans[j], images[j]));
    }
    switch (recorder.detail()) {
    case core::AttentionDetail::Mean:
        attention.detail = AttentionDetailLevel::Mean;
        break;
    case core::AttentionDetail::Layers:
        attention.detail = AttentionDetailLevel::Layers;
        break;
    case core::AttentionDetail::Heads:
        attention.detail = AttentionDetailLevel::Heads;
        break;
    }
    if (attention.detail != AttentionDetailLevel::Mean) {
        for (int layer : recorder.recordedLayers()) {
            attention.layerNumbers.append(layer);
        }
    }
    attention.kvHeads = kvHeads;
    const std::vector<core::TokenAttention> tokens = recorder.tokens();
    const size_t count = std::min(tokens.size(), static_cast<size_t>(tokenTexts.size()));
    for (size_t i = 0; i < count; ++i) {
        const core::TokenAttention& captured = tokens[i];
        AttentionToken token;
        token.text = tokenTexts[static_cast<qsizetype>(i)];
        token.imageShare = captured.imageShare;
        token.mean = toHalf(captured.perImage);
        for (const core::ImageGrids& layer : captured.layers) {
            token.layers.push_back(toHalf(layer));
        }
        for (const std::vector<core::ImageGrids>& layer : captured.heads) {
            std::vector<HalfGrids> perHead;
            for (const core::ImageGrids& head : layer) {
                perHead.push_back(toHalf(head));
            }
            attention.heads = static_cast<int>(perHead.size());
            token.heads.push_back(std::move(perHead));
        }
        attention.tokens.append(std::move(token));
    }
    if (attention.images.isEmpty()) {
        attention.tokens.clear(); // nothing to show: a text-only prompt
    }
    return attention;
}

} // namespace vora::app
