#include "ui/composer/attachment_strip.h"

#include <QHBoxLayout>
#include <QToolButton>
#include <QVBoxLayout>

namespace vora::ui {
namespace {
constexpr int kThumbnail = 64;
}

AttachmentStrip::AttachmentStrip(QWidget* parent)
    : QWidget(parent)
    , m_layout(new QHBoxLayout(this))
{
    setObjectName(QStringLiteral("attachments"));
    setAccessibleName(tr("Attached images"));
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_layout->setSpacing(6);
    setVisible(false);
}

int AttachmentStrip::add(const QList<QByteArray>& encodedImages)
{
    int added = 0;
    for (const QByteArray& bytes : encodedImages) {
        const QImage image = QImage::fromData(bytes);
        if (image.isNull()) {
            continue;
        }
        m_encoded.append(bytes);
        m_images.append(image);
        ++added;
    }
    if (added > 0) {
        rebuild();
    }
    return added;
}

void AttachmentStrip::removeAt(int index)
{
    if (index < 0 || index >= m_encoded.size()) {
        return;
    }
    m_encoded.removeAt(index);
    m_images.removeAt(index);
    rebuild();
}

void AttachmentStrip::clear()
{
    m_encoded.clear();
    m_images.clear();
    rebuild();
}

void AttachmentStrip::rebuild()
{
    while (QLayoutItem* item = m_layout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    for (int i = 0; i < m_images.size(); ++i) {
        auto* cell = new QWidget(this);
        auto* column = new QVBoxLayout(cell);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        auto* thumb = new QToolButton(cell);
        thumb->setObjectName(QStringLiteral("attachmentThumbnail"));
        thumb->setAccessibleName(tr("Image %1: show what the model sees").arg(i + 1));
        thumb->setToolTip(tr("%1 x %2 px. Click to see what the model sees.")
                              .arg(m_images.at(i).width())
                              .arg(m_images.at(i).height()));
        thumb->setIcon(QPixmap::fromImage(
            m_images.at(i).scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
        thumb->setIconSize({kThumbnail, kThumbnail});
        thumb->setAutoRaise(true);
        connect(thumb, &QToolButton::clicked, this, [this, i] { Q_EMIT previewRequested(i); });
        auto* remove = new QToolButton(cell);
        remove->setObjectName(QStringLiteral("removeAttachmentButton"));
        remove->setText(tr("Remove"));
        remove->setAccessibleName(tr("Remove image %1").arg(i + 1));
        remove->setAutoRaise(true);
        connect(remove, &QToolButton::clicked, this, [this, i] { removeAt(i); });
        column->addWidget(thumb);
        column->addWidget(remove, 0, Qt::AlignHCenter);
        m_layout->addWidget(cell);
    }
    m_layout->addStretch(1);
    setVisible(!m_images.isEmpty());
    Q_EMIT countChanged(count());
}

} // namespace vora::ui
