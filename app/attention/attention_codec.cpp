#include "app/attention/attention_codec.h"

#include <QDataStream>
#include <QIODevice>

#include <stdexcept>

namespace vora::app {
namespace {

constexpr quint32 kMagic = 0x564d4150; // "VMAP"
constexpr int kMaxCount = 1 << 24;       // no real answer comes near: anything above is damage

[[noreturn]] void refuse(const char* field)
{
    throw std::runtime_error(std::string("The stored attention map is damaged (field ") + field + ").");
}

void writeGrids(QDataStream& out, const HalfGrids& grids)
{
    out.writeRawData(reinterpret_cast<const char*>(grids.data()), static_cast<int>(grids.size() * sizeof(qfloat16)));
}

HalfGrids readGrids(QDataStream& in, int values, const char* field)
{
    HalfGrids grids(static_cast<size_t>(values));
    const int bytes = values * static_cast<int>(sizeof(qfloat16));
    if (in.readRawData(reinterpret_cast<char*>(grids.data()), bytes) != bytes) {
        refuse(field);
    }
    return grids;
}

int readCount(QDataStream& in, const char* field)
{
    qint32 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok || count < 0 || count > kMaxCount) {
        refuse(field);
    }
    return count;
}

} // namespace

QByteArray encodeAttention(const AnswerAttention& attention)
{
    QByteArray blob;
    QDataStream out(&blob, QIODevice::WriteOnly);
    out.setByteOrder(QDataStream::LittleEndian);
    out << kMagic << kAttentionBlobVersion << qint32(attention.detail) << qint32(attention.heads)
        << qint32(attention.kvHeads) << qint32(attention.layerNumbers.size());
    for (int layer : attention.layerNumbers) {
        out << qint32(layer);
    }
    out << qint32(attention.images.size());
    for (const AttentionImage& image : attention.images) {
        out << image.imagePath << qint32(image.gridHeight) << qint32(image.gridWidth) << qint32(image.originalWidth)
            << qint32(image.originalHeight) << qint32(image.paddedSide) << qint32(image.padLeft) << qint32(image.padTop)
            << qint32(image.resizedWidth) << qint32(image.resizedHeight) << qint32(image.patchSize) << image.scale;
    }
    out << qint32(attention.tokens.size());
    for (const AttentionToken& token : attention.tokens) {
        out << token.text << token.imageShare;
        writeGrids(out, token.mean);
        for (const HalfGrids& layer : token.layers) {
            writeGrids(out, layer);
        }
        for (const std::vector<HalfGrids>& layer : token.heads) {
            for (const HalfGrids& head : layer) {
                writeGrids(out, head);
            }
        }
    }
    return blob;
}

AnswerAttention decodeAttention(const QByteArray& blob)
{
    QDataStream in(blob);
    in.setByteOrder(QDataStream::LittleEndian);
    quint32 magic = 0, version = 0;
    in >> magic >> version;
    if (magic != kMagic) {
        refuse("magic");
    }
    if (version != kAttentionBlobVersion) {
        refuse("version");
    }
    AnswerAttention attention;
    const int detail = readCount(in, "detail");
    if (detail > int(AttentionDetailLevel::Heads)) {
        refuse("detail");
    }
    attention.detail = AttentionDetailLevel(detail);
    attention.heads = readCount(in, "heads");
    attention.kvHeads = readCount(in, "kv_heads");
    const int layers = readCount(in, "layers");
    for (int l = 0; l < layers; ++l) {
        attention.layerNumbers.append(readCount(in, "layer_numbers"));
    }
    const int images = readCount(in, "images");
    for (int j = 0; j < images; ++j) {
        AttentionImage image;
        in >> image.imagePath;
        image.gridHeight = readCount(in, "grid_height");
        image.gridWidth = readCount(in, "grid_width");
        image.originalWidth = readCount(in, "original_width");
        image.originalHeight = readCount(in, "original_height");
        image.paddedSide = readCount(in, "padded_side");
        image.padLeft = readCount(in, "pad_left");
        image.padTop = readCount(in, "pad_top");
        image.resizedWidth = readCount(in, "resized_width");
        image.resizedHeight = readCount(in, "resized_height");
        image.patchSize = readCount(in, "patch_size");
        in >> image.scale;
        attention.images.append(image);
    }
    const int patches = attention.totalPatches();
    const bool hasLayers = attention.detail == AttentionDetailLevel::Layers || attention.detail == AttentionDetailLevel::Heads;
    const bool hasHeads = attention.detail == AttentionDetailLevel::Heads;
    const int tokens = readCount(in, "tokens");
    for (int i = 0; i < tokens; ++i) {
        AttentionToken token;
        in >> token.text >> token.imageShare;
        if (in.status() != QDataStream::Ok) {
            refuse("tokens.text");
        }
        token.mean = readGrids(in, patches, "tokens.mean");
        for (int l = 0; hasLayers && l < layers; ++l) {
            token.layers.push_back(readGrids(in, patches, "tokens.layers"));
        }
        for (int l = 0; hasHeads && l < layers; ++l) {
            std::vector<HalfGrids> perHead;
            for (int h = 0; h < attention.heads; ++h) {
                perHead.push_back(readGrids(in, patches, "tokens.heads"));
            }
            token.heads.push_back(std::move(perHead));
        }
        attention.tokens.append(std::move(token));
    }
    if (!in.atEnd()) {
        refuse("trailing bytes");
    }
    return attention;
}

qint64 attentionGridBytes(const AnswerAttention& attention)
{
    qint64 grids = 0;
    for (const AttentionToken& token : attention.tokens) {
        grids += 1 + qint64(token.layers.size());
        for (const std::vector<HalfGrids>& layer : token.heads) {
            grids += qint64(layer.size());
        }
    }
    return grids * attention.totalPatches() * qint64(sizeof(qfloat16));
}

void boundAttention(AnswerAttention& attention, qint64 maxBytes)
{
    if (maxBytes <= 0) {
        return;
    }
    if (attention.detail == AttentionDetailLevel::Heads && attentionGridBytes(attention) > maxBytes) {
        for (AttentionToken& token : attention.tokens) {
            token.heads.clear();
        }
        attention.detail = AttentionDetailLevel::Layers;
        attention.heads = 0;
    }
    if (attention.detail == AttentionDetailLevel::Layers && attentionGridBytes(attention) > maxBytes) {
        for (AttentionToken& token : attention.tokens) {
            token.layers.clear();
        }
        attention.detail = AttentionDetailLevel::Mean;
        attention.layerNumbers.clear();
    }
    if (attentionGridBytes(attention) > maxBytes) {
        attention = AnswerAttention{};
    }
}

} // namespace vora::app
