#pragma once
// What the model sees of an image, for the preview before sending: the image padded to a black square
// (centred, offset (max-min)//2) and resized to imageSize, as the released models' preprocessing does.
// The resize here is Qt's smooth (bilinear) one: the preview shows framing and patch grid, not exact pixels.
// Any thread (QImage only).
#include <QImage>

namespace vora::app {

QImage modelViewImage(const QImage& image, int imageSize);
// Patches per side and total vision tokens: (imageSize / patchSize)^2.
int patchesPerSide(int imageSize, int patchSize);
int visionTokenCount(int imageSize, int patchSize);

} // namespace vora::app
