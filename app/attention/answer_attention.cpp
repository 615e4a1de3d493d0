#include "app/attention/answer_attention.h"

#include "core/image/image_preprocessor.h"

#include <algorithm>
#include <cstring>

namespace vora::app {
namespace {

bool sameBits(const HalfGrids& a, const HalfGrids& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(qfloat16)) == 0);
}

} // namespace

QString attentionDetailName(AttentionDetailLevel detail)
{
    switch (detail) {
    case AttentionDetailLevel::Off:
        return QStringLiteral("off");
    case AttentionDetailLevel::Mean:
        return QStringLiteral("mean");
    case AttentionDetailLevel::Layers:
        return QStringLiteral("layers");
    case AttentionDetailLevel::Heads:
        return QStringLiteral("heads");
    }
    return QStringLiteral("off");
}

std::optional<AttentionDetailLevel> attentionDetailFromName(const QString& name)
{
    for (AttentionDetailLevel detail : {AttentionDetailLevel::Off, AttentionDetailLevel::Mean, AttentionDetailLevel::Layers,
                                        AttentionDetailLevel::Heads}) {
        if (attentionDetailName(detail) == name) {
            return detail;
        }
    }
    return std::nullopt;
}

QRectF AttentionImage::patchRectInOriginal(int row, int col) const
{
    core::ImageGeometry geometry;
    geometry.originalWidth = originalWidth;
    geometry.originalHeight = originalHeight;
    geometry.paddedSide = paddedSide;
    geometry.padLeft = padLeft;
    geometry.padTop = padTop;
    geometry.resizedWidth = resizedWidth;
    geometry.resizedHeight = resizedHeight;
    geometry.scale = scale;
    geometry.gridHeight = gridHeight;
    geometry.gridWidth = gridWidth;
    geometry.patchSize = patchSize;
    const core::ImageGeometry::Rect rect = geometry.patchRectInOriginal(row, col);
    return {rect.x, rect.y, rect.width, rect.height};
}

int AnswerAttention::totalPatches() const
{
    int total = 0;
    for (const AttentionImage& image : images) {
        total += image.patches();
    }
    return total;
}

int AnswerAttention::patchOffset(int image) const
{
    int offset = 0;
    for (int j = 0; j < image; ++j) {
        offset += images[j].patches();
    }
    return offset;
}

bool operator==(const AttentionToken& a, const AttentionToken& b)
{
    if (a.text != b.text || a.imageShare != b.imageShare || !sameBits(a.mean, b.mean) || a.layers.size() != b.layers.size() ||
        a.heads.size() != b.heads.size()) {
        return false;
    }
    for (size_t l = 0; l < a.layers.size(); ++l) {
        if (!sameBits(a.layers[l], b.layers[l])) {
            return false;
        }
    }
    for (size_t l = 0; l < a.heads.size(); ++l) {
        if (a.heads[l].size() != b.heads[l].size() ||
            !std::equal(a.heads[l].begin(), a.heads[l].end(), b.heads[l].begin(), sameBits)) {
            return false;
        }
    }
    return true;
}

bool operator==(const AnswerAttention& a, const AnswerAttention& b)
{
    return a.detail == b.detail && a.layerNumbers == b.layerNumbers && a.heads == b.heads && a.kvHeads == b.kvHeads &&
           a.images == b.images && a.tokens == b.tokens;
}

} // namespace vora::app
