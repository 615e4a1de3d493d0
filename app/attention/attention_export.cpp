#include "app/attention/attention_export.h"

#include <QBuffer>
#include <QFileInfo>
#include <QJsonArray>
#include <QPainter>
#include <QtEndian>

#include <array>
#include <stdexcept>

namespace vora::app {
namespace {

constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";

QByteArray bigEndian32(quint32 value)
{
    QByteArray bytes(4, '\0');
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray bigEndian16(quint16 value)
{
    QByteArray bytes(2, '\0');
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray chunk(const QByteArray& type, const QByteArray& data)
{
    const QByteArray body = type + data;
    return bigEndian32(quint32(data.size())) + body + bigEndian32(pngCrc32(body));
}

struct PngChunk {
    QByteArray type;
    QByteArray data;
};

QList<PngChunk> chunksOf(const QByteArray& png)
{
    QList<PngChunk> chunks;
    qsizetype at = 8;
    while (at + 12 <= png.size()) {
        const quint32 length = qFromBigEndian<quint32>(png.constData() + at);
        chunks.append({png.mid(at + 4, 4), png.mid(at + 8, length)});
        at += 12 + qsizetype(length);
    }
    return chunks;
}

QByteArray encodePng(const QImage& image)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) {
        throw std::runtime_error("could not encode an APNG frame as PNG");
    }
    return bytes;
}

} // namespace

quint32 pngCrc32(const QByteArray& bytes)
{
    static const std::array<quint32, 256> table = [] {
        std::array<quint32, 256> t{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k) {
                c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }
            t[n] = c;
        }
        return t;
    }();
    quint32 crc = 0xffffffffu;
    for (char byte : bytes) {
        crc = table[(crc ^ quint8(byte)) & 0xff] ^ (crc >> 8);
    }
    return crc ^ 0xffffffffu;
}

QByteArray attentionCsv(const AnswerAttention& attention, int image, const AttentionSelection& selection)
{
    QByteArray csv = "token,text,image_share,row,col,value\n";
    const int width = attention.images.at(image).gridWidth;
    for (int i = 0; i < attention.tokens.size(); ++i) {
        QString text = attention.tokens[i].text;
        text.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        const QByteArray quoted = '"' + text.toUtf8() + '"';
        const std::vector<float> grid = selectedGrid(attention, i, image, selection);
        for (size_t p = 0; p < grid.size(); ++p) {
            csv += QByteArray::number(i) + ',' + quoted + ',' + QByteArray::number(attention.tokens[i].imageShare, 'g', 9) +
                   ',' + QByteArray::number(int(p) / width) + ',' + QByteArray::number(int(p) % width) + ',' +
                   QByteArray::number(grid[p], 'g', 9) + '\n';
        }
    }
    return csv;
}

QJsonObject attentionJson(const AnswerAttention& attention, int image, const AttentionSelection& selection)
{
    const AttentionImage& source = attention.images.at(image);
    QJsonArray layers;
    for (int layer : attention.layerNumbers) {
        layers.append(layer);
    }
    QJsonArray tokens;
    for (int i = 0; i < attention.tokens.size(); ++i) {
        QJsonArray grid;
        for (float value : selectedGrid(attention, i, image, selection)) {
            grid.append(double(value));
        }
        tokens.append(QJsonObject{{QStringLiteral("text"), attention.tokens[i].text},
                                  {QStringLiteral("image_share"), double(attention.tokens[i].imageShare)},
                                  {QStringLiteral("grid"), grid}});
    }
    return {{QStringLiteral("image"),
             QJsonObject{{QStringLiteral("source"), QFileInfo(source.imagePath).fileName()},
                         {QStringLiteral("grid_height"), source.gridHeight},
                         {QStringLiteral("grid_width"), source.gridWidth}}},
            {QStringLiteral("layer_numbers"), layers},
            {QStringLiteral("tokens"), tokens}};
}

QImage contactSheet(const QList<QImage>& frames, const QStringList& labels, int columns)
{
    if (frames.isEmpty()) {
        return {};
    }
    constexpr int kLabel = 18, kGap = 6;
    const QSize cell = frames.first().size();
    columns = std::max(1, std::min(columns, int(frames.size())));
    const int rows = int((frames.size() + columns - 1) / columns);
    QImage sheet(columns * (cell.width() + kGap) + kGap, rows * (cell.height() + kLabel + kGap) + kGap,
                 QImage::Format_RGB32);
    sheet.fill(Qt::white);
    QPainter painter(&sheet);
    for (int i = 0; i < frames.size(); ++i) {
        const QPoint at(kGap + (i % columns) * (cell.width() + kGap), kGap + (i / columns) * (cell.height() + kLabel + kGap));
        painter.drawImage(QRect(at, cell), frames[i]);
        painter.drawText(QRect(at.x(), at.y() + cell.height(), cell.width(), kLabel), Qt::AlignCenter,
                         i < labels.size() ? labels[i] : QString());
    }
    return sheet;
}

QByteArray assembleApng(const QList<QImage>& frames, int delayMs)
{
    if (frames.isEmpty()) {
        throw std::invalid_argument("an animation needs at least one frame");
    }
    const QSize size = frames.first().size();
    QByteArray out(kPngSignature, 8);
    quint32 sequence = 0;
    for (int f = 0; f < frames.size(); ++f) {
        const QImage frame = frames[f].convertToFormat(QImage::Format_ARGB32).scaled(size);
        const QList<PngChunk> chunks = chunksOf(encodePng(frame));
        if (f == 0) {
            out += chunk("IHDR", chunks.first().data);
            out += chunk("acTL", bigEndian32(quint32(frames.size())) + bigEndian32(0));
        }
        out += chunk("fcTL", bigEndian32(sequence++) + bigEndian32(quint32(size.width())) +
                                 bigEndian32(quint32(size.height())) + bigEndian32(0) + bigEndian32(0) +
                                 bigEndian16(quint16(std::clamp(delayMs, 0, 65535))) + bigEndian16(1000) +
                                 QByteArray(1, '\0') /* dispose: none */ + QByteArray(1, '\0') /* blend: source */);
        for (const PngChunk& part : chunks) {
            if (part.type != "IDAT") {
                continue;
            }
            out += f == 0 ? chunk("IDAT", part.data) : chunk("fdAT", bigEndian32(sequence++) + part.data);
        }
    }
    out += chunk("IEND", {});
    return out;
}

} // namespace vora::app
