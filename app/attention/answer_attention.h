#pragma once
// One answer's attention over the images in its context, as the app keeps, stores and shows it:
// for every generated token, its attention probabilities over each image's patch grid, mean over
// layers and heads, and (by detail) per recorded layer (mean over heads) and per head. Values are
// float16 (qfloat16): what the database keeps, so a reloaded map is the very map that was shown.
// Made from core's capture on the inference worker (answer_attention_capture.h); plain values, no
// torch, safe to pass between threads. docs/attention-maps.md ("In the app").
#include <QList>
#include <QMetaType>
#include <QRectF>
#include <QString>
#include <QtCore/qfloat16.h>

#include <memory>
#include <optional>
#include <vector>

namespace vora::app {

struct RolloutSource; // answer_rollout.h

// How much of the capture an answer keeps (the preference "attention detail"; more detail, more bytes).
enum class AttentionDetailLevel {
    Off,    // no capture
    Mean,   // per token and image: mean over all layers and heads
    Layers, // + per recorded layer, mean over heads
    Heads,  // + every head of every recorded layer
};

// "off", "mean", "layers", "heads" (the preference's stored form); nullopt for anything else.
QString attentionDetailName(AttentionDetailLevel detail);
std::optional<AttentionDetailLevel> attentionDetailFromName(const QString& name);

// One image of the answer's context and the geometry preprocessing gave it (core's ImageGeometry),
// so a patch maps back to ORIGINAL image pixels with the padding removed.
struct AttentionImage {
    QString imagePath; // the image file the model read
    int gridHeight = 0, gridWidth = 0;
    int originalWidth = 0, originalHeight = 0;
    int paddedSide = 0, padLeft = 0, padTop = 0;
    int resizedWidth = 0, resizedHeight = 0, patchSize = 0;
    double scale = 0;

    int patches() const { return gridHeight * gridWidth; }
    // Patch (row, col) in original image pixels, clipped to the image; empty on padding.
    // Computed by core's ImageGeometry::patchRectInOriginal, the geometry the model used.
    QRectF patchRectInOriginal(int row, int col) const;

    bool operator==(const AttentionImage&) const = default;
};

// Grids of all images of one token, concatenated in image order (image j starts at the sum of the
// earlier images' patches), raster order within each image.
using HalfGrids = std::vector<qfloat16>;

struct AttentionToken {
    QString text;          // the token as decoded on its own
    float imageShare = 0;  // attention mass on all images (mean over recorded layers and heads)
    HalfGrids mean;        // mean over recorded layers and heads
    std::vector<HalfGrids> layers; // [recorded layer], detail Layers or Heads
    std::vector<std::vector<HalfGrids>> heads; // [recorded layer][head], detail Heads
};

struct AnswerAttention {
    AttentionDetailLevel detail = AttentionDetailLevel::Off;
    QList<int> layerNumbers; // the decoder layers recorded, in the order of AttentionToken::layers
    int heads = 0;           // query heads (0 below detail Heads)
    int kvHeads = 0;         // key/value heads (grouped-query attention), 0 when unknown
    QList<AttentionImage> images;
    QList<AttentionToken> tokens;
    // What a rollout of this answer needs (answer_rollout.h): set for answers generated in this session,
    // kept in memory only (neither stored nor compared); null for an answer reopened from the database.
    std::shared_ptr<const RolloutSource> rolloutSource;

    bool isEmpty() const { return tokens.isEmpty() || images.isEmpty(); }
    int totalPatches() const;
    int patchOffset(int image) const; // where image's grid starts in a HalfGrids
};

bool operator==(const AttentionToken& a, const AttentionToken& b); // bit equality of the grids
bool operator==(const AnswerAttention& a, const AnswerAttention& b);

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::AnswerAttention)
