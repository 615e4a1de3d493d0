#include "ui/composer/image_mime.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QMimeData>
#include <QObject>
#include <QUrl>

namespace vora::ui {
namespace {

bool isImageFile(const QUrl& url)
{
    return url.isLocalFile() && !QImageReader::imageFormat(url.toLocalFile()).isEmpty();
}

} // namespace

bool mimeDataHasImages(const QMimeData* data)
{
    if (data->hasImage()) {
        return true;
    }
    const QList<QUrl> urls = data->urls();
    return std::any_of(urls.begin(), urls.end(), isImageFile);
}

QByteArray readImageFile(const QString& path, QString* problem)
{
    if (QImageReader::imageFormat(path).isEmpty()) {
        *problem = QObject::tr("%1 is not an image this build can read.").arg(QFileInfo(path).fileName());
        return {};
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *problem = QObject::tr("%1 cannot be read: %2").arg(QFileInfo(path).fileName(), file.errorString());
        return {};
    }
    return file.readAll();
}

QList<NamedImage> readImageFiles(const QStringList& paths, QStringList* problems)
{
    QList<NamedImage> images;
    for (const QString& path : paths) {
        QString problem;
        const QByteArray bytes = readImageFile(path, &problem);
        if (bytes.isEmpty()) {
            problems->append(problem);
        } else {
            images.append({bytes, QFileInfo(path).fileName()});
        }
    }
    return images;
}

QList<NamedImage> imagesFromMimeData(const QMimeData* data, QStringList* problems)
{
    QStringList paths;
    for (const QUrl& url : data->urls()) {
        if (url.isLocalFile()) {
            paths.append(url.toLocalFile());
        }
    }
    QList<NamedImage> images = readImageFiles(paths, problems);
    if (images.isEmpty() && data->hasImage()) {
        const QImage image = qvariant_cast<QImage>(data->imageData());
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        if (!image.isNull() && image.save(&buffer, "PNG")) {
            images.append({png, QObject::tr("Pasted image")});
        }
    }
    return images;
}

} // namespace vora::ui
