#pragma once
// What the viewer exports: the raw grids of a selection as CSV or JSON, a contact sheet of overlays,
// and an animated PNG (APNG) over the answer. Qt writes neither GIF nor APNG, so assembleApng builds
// one from Qt-encoded PNG frames: the first frame's IHDR, an acTL, then per frame an fcTL and its
// image data (IDAT for the first frame, fdAT after), each chunk with its CRC-32.
#include "app/attention/answer_attention.h"
#include "app/attention/attention_selection.h"

#include <QByteArray>
#include <QImage>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace vora::app {

// One line per token and patch: token,text,image_share,row,col,value (the selection's grid of image).
QByteArray attentionCsv(const AnswerAttention& attention, int image, const AttentionSelection& selection);
// {"image": {source, grid_height, grid_width}, "layer_numbers": [...], "tokens": [{text, image_share,
// grid: [raster order]}]}.
QJsonObject attentionJson(const AnswerAttention& attention, int image, const AttentionSelection& selection);

// The frames in rows of columns, each with its label under it.
QImage contactSheet(const QList<QImage>& frames, const QStringList& labels, int columns);

// All frames are converted to the first one's size and 32-bit RGBA; delayMs per frame; loops forever.
// Throws std::invalid_argument for no frames.
QByteArray assembleApng(const QList<QImage>& frames, int delayMs);

// CRC-32 (ISO 3309, as PNG uses it).
quint32 pngCrc32(const QByteArray& bytes);

} // namespace vora::app
