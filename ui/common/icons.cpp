#include "ui/common/icons.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QSvgRenderer>

namespace vora::ui {
namespace {

QString iconPath(const QString& name)
{
    return QStringLiteral(":/vora/icons/%1.svg").arg(name);
}

QByteArray iconSource(const QString& name)
{
    static QHash<QString, QByteArray> sources;
    auto it = sources.find(name);
    if (it == sources.end()) {
        QFile file(iconPath(name));
        it = sources.insert(name, file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray());
    }
    return *it;
}

QPixmap render(const QString& name, const QColor& color, const QSize& size, qreal ratio)
{
    QByteArray svg = iconSource(name);
    svg.replace("currentColor", color.name(QColor::HexRgb).toLatin1());
    QSvgRenderer renderer(svg);
    QPixmap pixmap(size * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setOpacity(color.alphaF());
    renderer.render(&painter, QRectF(QPointF(0, 0), QSizeF(size)));
    return pixmap;
}

// Renders at paint time with the colour the palette has then.
class ThemedIconEngine : public QIconEngine {
public:
    ThemedIconEngine(QString name, std::optional<QColor> fixed)
        : m_name(std::move(name))
        , m_fixed(std::move(fixed))
    {
    }

    QIconEngine* clone() const override { return new ThemedIconEngine(m_name, m_fixed); }
    QString key() const override { return QStringLiteral("vora-themed"); }

    void paint(QPainter* painter, const QRect& rect, QIcon::Mode mode, QIcon::State state) override
    {
        const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
        painter->drawPixmap(rect, scaledPixmap(rect.size(), mode, state, ratio));
    }

    QPixmap pixmap(const QSize& size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize& size, QIcon::Mode mode, QIcon::State, qreal scale) override
    {
        return render(m_name, color(mode), size, scale);
    }

    QList<QSize> availableSizes(QIcon::Mode, QIcon::State) override { return {QSize(16, 16), QSize(24, 24), QSize(32, 32)}; }
    bool isNull() override { return iconSource(m_name).isEmpty(); }

private:
    QColor color(QIcon::Mode mode) const
    {
        if (m_fixed) {
            QColor fixed = *m_fixed;
            if (mode == QIcon::Disabled) {
                fixed.setAlphaF(fixed.alphaF() * 0.45f);
            }
            return fixed;
        }
        const QPalette palette = QApplication::palette();
        switch (mode) {
        case QIcon::Disabled: return palette.color(QPalette::Disabled, QPalette::ButtonText);
        case QIcon::Selected: return palette.color(QPalette::HighlightedText);
        default: return palette.color(QPalette::ButtonText);
        }
    }

    QString m_name;
    std::optional<QColor> m_fixed;
};

} // namespace

bool iconExists(const QString& name)
{
    return !iconSource(name).isEmpty();
}

QIcon themedIcon(const QString& name)
{
    return iconExists(name) ? QIcon(new ThemedIconEngine(name, std::nullopt)) : QIcon();
}

QIcon coloredIcon(const QString& name, const QColor& color)
{
    return iconExists(name) ? QIcon(new ThemedIconEngine(name, color)) : QIcon();
}

} // namespace vora::ui
