#include "ui/composer/attachment_strip.h"

#include "ui/common/icon_button.h"
#include "ui/common/tone_label.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>

namespace vora::ui {
namespace {

constexpr int kCellWidth = AttachmentStrip::kThumbnail + 40;

// A rounded, cropped square of the image.
QPixmap roundedThumbnail(const QImage& image, int side, qreal ratio)
{
    const QImage cropped = image.scaled(QSize(side, side) * ratio, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation);
    QPixmap pixmap(QSize(side, side) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    QPainterPath clip;
    clip.addRoundedRect(QRectF(0, 0, side, side), 8, 8);
    painter.setClipPath(clip);
    const QSizeF shown = QSizeF(cropped.size()) / ratio;
    painter.drawImage(QRectF(QPointF((side - shown.width()) / 2, (side - shown.height()) / 2), shown), cropped);
    return pixmap;
}

} // namespace

AttachmentStrip::AttachmentStrip(QWidget* parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    setObjectName(QStringLiteral("attachments"));
    setAccessibleName(tr("Attached images"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(4);
    setVisible(false);
}

int AttachmentStrip::add(const QList<NamedImage>& images)
{
    int added = 0;
    for (const NamedImage& named : images) {
        const QImage image = QImage::fromData(named.bytes);
        if (image.isNull()) {
            continue;
        }
        m_images.append(named);
        m_decoded.append(image);
        ++added;
    }
    if (added > 0) {
        rebuild();
    }
    return added;
}

QList<QByteArray> AttachmentStrip::encodedImages() const
{
    QList<QByteArray> bytes;
    for (const NamedImage& image : m_images) {
        bytes.append(image.bytes);
    }
    return bytes;
}

QStringList AttachmentStrip::names() const
{
    QStringList names;
    for (const NamedImage& image : m_images) {
        names.append(image.name);
    }
    return names;
}

void AttachmentStrip::removeAt(int index)
{
    if (index < 0 || index >= m_images.size()) {
        return;
    }
    m_images.removeAt(index);
    m_decoded.removeAt(index);
    rebuild();
}

void AttachmentStrip::clear()
{
    m_images.clear();
    m_decoded.clear();
    rebuild();
}

QWidget* AttachmentStrip::makeCell(int index)
{
    const QImage& image = m_decoded.at(index);
    const QString name = m_images.at(index).name;
    auto* cell = new QWidget(this);
    cell->setFixedWidth(kCellWidth);
    auto* thumb = new QToolButton(cell);
    thumb->setObjectName(QStringLiteral("attachmentThumbnail"));
    thumb->setAccessibleName(tr("Image %1, %2: open the image viewer").arg(index + 1).arg(name));
    thumb->setToolTip(tr("%1\n%2 x %3 px. Click to compare it with what the model sees.")
                          .arg(name)
                          .arg(image.width())
                          .arg(image.height()));
    thumb->setIcon(roundedThumbnail(image, kThumbnail, devicePixelRatioF()));
    thumb->setIconSize({kThumbnail, kThumbnail});
    thumb->setAutoRaise(true);
    thumb->setCursor(Qt::PointingHandCursor);
    thumb->setGeometry((kCellWidth - kThumbnail - 8) / 2, 6, kThumbnail + 8, kThumbnail + 8);
    connect(thumb, &QToolButton::clicked, this, [this, index] { Q_EMIT previewRequested(index); });
    auto* caption = new ToneLabel(ToneLabel::Tone::Secondary, cell);
    caption->setObjectName(QStringLiteral("attachmentName"));
    caption->setText(caption->fontMetrics().elidedText(name, Qt::ElideMiddle, kCellWidth - 4));
    caption->setToolTip(name);
    caption->setAlignment(Qt::AlignHCenter);
    caption->setGeometry(0, kThumbnail + 16, kCellWidth, caption->fontMetrics().height() + 2);
    // The x badge sits on the thumbnail's top right corner, over the image.
    auto* remove = new IconButton(QStringLiteral("close"), tr("Remove image %1, %2").arg(index + 1).arg(name), cell,
                                  IconButton::Kind::Badge);
    remove->setObjectName(QStringLiteral("removeAttachmentButton"));
    remove->setFixedSize(remove->sizeHint());
    remove->move((kCellWidth + kThumbnail) / 2 - remove->width() / 2 + 2, 0);
    remove->raise();
    connect(remove, &QToolButton::clicked, this, [this, index] { removeAt(index); });
    cell->setFixedHeight(kThumbnail + 18 + caption->fontMetrics().height() + 2);
    return cell;
}

void AttachmentStrip::rebuild()
{
    while (QLayoutItem* item = m_layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < m_images.size(); ++i) {
        m_layout->addWidget(makeCell(i));
    }
    m_layout->addStretch(1);
    setVisible(!m_images.isEmpty());
    Q_EMIT countChanged(count());
}

} // namespace vora::ui
