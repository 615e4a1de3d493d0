#pragma once
// Encoded one-colour PNGs for tests that attach images.
#include <QBuffer>
#include <QByteArray>
#include <QColor>
#include <QImage>
#include <QSize>

inline QByteArray pngBytes(QColor colour, QSize size = QSize(40, 20))
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}
