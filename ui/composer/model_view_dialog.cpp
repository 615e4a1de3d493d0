#include "ui/composer/model_view_dialog.h"

#include "app/inference/model_view_image.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>

namespace vora::ui {

ModelViewDialog::ModelViewDialog(const QImage& image, int imageSize, int patchSize, QWidget* parent)
    : QDialog(parent)
{
    setWindowTitle(tr("What the model sees"));
    setObjectName(QStringLiteral("modelViewDialog"));
    auto* layout = new QVBoxLayout(this);
    auto* images = new QHBoxLayout;
    const auto column = [&](const QString& caption, const QPixmap& pixmap, const QString& accessible) {
        auto* box = new QVBoxLayout;
        auto* picture = new QLabel(this);
        picture->setPixmap(pixmap);
        picture->setAccessibleName(accessible);
        picture->setAlignment(Qt::AlignCenter);
        box->addWidget(picture, 1);
        box->addWidget(new QLabel(caption, this), 0, Qt::AlignHCenter);
        images->addLayout(box);
    };
    // 320 px keeps the dialog small on laptop screens while cells stay ~10 px.
    const int shown = std::min(imageSize, 320);
    column(tr("Your image, %1 x %2").arg(image.width()).arg(image.height()),
           QPixmap::fromImage(image.scaled(shown, shown, Qt::KeepAspectRatio, Qt::SmoothTransformation)),
           tr("Original image"));
    column(tr("Model input, %1 x %1, padded to a square").arg(imageSize),
           QPixmap::fromImage(renderWithGrid(image, imageSize, patchSize, shown)),
           tr("Model input with patch grid"));
    layout->addLayout(images);
    auto* summary = new QLabel(tr("<b>%1</b>: one token per %2 x %2 pixel patch.")
                                   .arg(tokenSummary(imageSize, patchSize))
                                   .arg(patchSize),
                               this);
    summary->setObjectName(QStringLiteral("tokenSummary"));
    summary->setAlignment(Qt::AlignCenter);
    layout->addWidget(summary);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QImage ModelViewDialog::renderWithGrid(const QImage& image, int imageSize, int patchSize, int displaySize)
{
    const int size = displaySize > 0 ? displaySize : imageSize;
    QImage view = vora::app::modelViewImage(image, imageSize);
    const int side = vora::app::patchesPerSide(imageSize, patchSize);
    if (view.isNull() || side <= 0) {
        return view;
    }
    if (size != imageSize) {
        view = view.scaled(size, size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
    }
    QPainter painter(&view);
    // Magenta shows on black padding and on white image areas alike.
    painter.setPen(QPen(QColor(255, 0, 160, 70), 1));
    for (int i = 1; i < side; ++i) {
        const int at = i * size / side;
        painter.drawLine(at, 0, at, size);
        painter.drawLine(0, at, size, at);
    }
    return view;
}

QString ModelViewDialog::tokenSummary(int imageSize, int patchSize)
{
    const int side = vora::app::patchesPerSide(imageSize, patchSize);
    return tr("%1x%1 = %2 tokens").arg(side).arg(vora::app::visionTokenCount(imageSize, patchSize));
}

} // namespace vora::ui
