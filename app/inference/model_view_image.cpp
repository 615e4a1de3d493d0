#include "app/inference/model_view_image.h"

#include <QPainter>

#include <algorithm>

namespace vora::app {

QImage modelViewImage(const QImage& image, int imageSize)
{
    if (image.isNull() || imageSize <= 0) {
        return {};
    }
    const int side = std::max(image.width(), image.height());
    QImage square(side, side, QImage::Format_RGB32);
    square.fill(Qt::black);
    {
        QPainter painter(&square);
        painter.drawImage((side - image.width()) / 2, (side - image.height()) / 2,
                          image.convertToFormat(QImage::Format_RGB32));
    }
    return square.scaled(imageSize, imageSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
}

int patchesPerSide(int imageSize, int patchSize)
{
    return patchSize > 0 ? imageSize / patchSize : 0;
}

int visionTokenCount(int imageSize, int patchSize)
{
    const int side = patchesPerSide(imageSize, patchSize);
    return side * side;
}

} // namespace vora::app
