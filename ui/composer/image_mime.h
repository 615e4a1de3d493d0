#pragma once
// Images carried by a drop or a paste: local file URLs of readable images (their bytes as they are on
// disk), or raw image data (encoded as PNG). GUI thread (QMimeData image data needs QtGui).
#include <QByteArray>
#include <QList>
#include <QStringList>

class QMimeData;

namespace vora::ui {

bool mimeDataHasImages(const QMimeData* data);
// problems receives one line per URL that is not a readable image.
QList<QByteArray> imagesFromMimeData(const QMimeData* data, QStringList* problems);
// The bytes of an image file, or empty with problem set when it is not an image this build can read.
QByteArray readImageFile(const QString& path, QString* problem);

} // namespace vora::ui
