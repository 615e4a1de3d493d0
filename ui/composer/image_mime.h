#pragma once
// Images carried by a drop or a paste: local file URLs of readable images (their bytes as they are on
// disk, with their file names), or raw image data (encoded as PNG, named "Pasted image"). Order is
// kept. GUI thread (QMimeData image data needs QtGui).
#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

class QMimeData;

namespace vora::ui {

struct NamedImage {
    QByteArray bytes; // the encoded file (PNG, JPEG, ...)
    QString name;     // what the user calls it: the file name, or "Pasted image"
};

bool mimeDataHasImages(const QMimeData* data);
// problems receives one line per URL that is not a readable image.
QList<NamedImage> imagesFromMimeData(const QMimeData* data, QStringList* problems);
// The bytes of an image file, or empty with problem set when it is not an image this build can read.
QByteArray readImageFile(const QString& path, QString* problem);
// Every path read with readImageFile, in order; problems for those that could not be read.
QList<NamedImage> readImageFiles(const QStringList& paths, QStringList* problems);

} // namespace vora::ui
