#include "ui/common/app_icon.h"

#include <QPainter>
#include <QSvgRenderer>

namespace vora::ui {

QPixmap appIconPixmap(int size)
{
    QSvgRenderer renderer(QStringLiteral(":/vora/icons/vora-studio.svg"));
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    renderer.render(&painter);
    return pixmap;
}

QIcon appIcon()
{
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256}) {
        icon.addPixmap(appIconPixmap(size));
    }
    return icon;
}

} // namespace vora::ui
