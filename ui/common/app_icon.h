#pragma once
// The VoRA Studio icon rendered from its SVG with QSvgRenderer, so it shows even where no SVG
// image-format plugin is installed. GUI thread only.
#include <QIcon>
#include <QPixmap>

namespace vora::ui {

QPixmap appIconPixmap(int size);
QIcon appIcon();

} // namespace vora::ui
